# bash completion for dmasim, installed by `make install` as
# PREFIX/share/bash-completion/completions/dmasim.  Keep in step with
# sim/cli/main.c and each command's --help (mk/check_install.sh checks the
# commands, the options and the schemes against the program).

_dmasim()
{
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}

    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "check route run regress sweep merge report
                                  import --help --version" -- "$cur"))
        return
    fi

    # the value of an option
    case $prev in
    --scheme)
        COMPREPLY=($(compgen -W "flat flat-bounce struct linux" -- "$cur"))
        return ;;
    --json)
        # a file for run; a flag for check and route
        if [ "$cmd" = run ]; then
            COMPREPLY=($(compgen -f -- "$cur"))
            return
        fi ;;
    --csv|--junit|--trace|--plot|--defaults)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    -I)
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    -o)
        if [ "$cmd" = report ]; then
            COMPREPLY=($(compgen -d -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return ;;
    --from|--addr|--len|--vary|--jobs|--shard)
        return ;;
    esac

    local opts
    case $cmd in
    check) opts="--json --strict --junit --help" ;;
    route) opts="--from --addr --len --json --help" ;;
    run) opts="--scheme --json --csv --trace --help" ;;
    regress) opts="--junit --help" ;;
    sweep) opts="--vary --jobs --shard --csv --resume --plot --help" ;;
    merge) opts="-o --help" ;;
    report) opts="-o --help" ;;
    import) opts="-I -o --defaults --help" ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # the files: YAML topologies and scenarios (and folders of them for
    # regress), CSVs for merge
    local ext=yaml
    [ "$cmd" = merge ] && ext=csv
    [ "$cmd" = import ] && ext="@(dts|dtb)"
    COMPREPLY=($(compgen -f -X "!*.$ext" -- "$cur") $(compgen -d -- "$cur"))
}
complete -o filenames -F _dmasim dmasim
