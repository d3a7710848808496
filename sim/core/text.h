/* Text that goes into structured output (JSON, XML) whatever bytes it
 * came from: file names and values are bytes, not always UTF-8. */
#ifndef DMASIM_TEXT_H
#define DMASIM_TEXT_H

#include <stddef.h>

/* The length (1 to 4) of the well-formed UTF-8 sequence at p (RFC 3629:
 * shortest form, no surrogates, nothing above U+10FFFF), or 0 when the
 * bytes at p are not one (a stray continuation byte, a cut or overlong
 * sequence).  p points to a NUL-terminated string and *p is not NUL. */
size_t utf8_len(const unsigned char *p);

/* Written for an ill-formed byte: U+FFFD, the replacement character. */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

#endif
