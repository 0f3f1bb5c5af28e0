/*
 * unit_util.h - small helpers shared by the CUnit tests (header only).
 */
#ifndef TX86_UNIT_UTIL_H
#define TX86_UNIT_UTIL_H

#include <stdint.h>
#include <stdio.h>

/* "0f 1f 00" or "0f1f00" -> bytes; returns how many (at most max) */
static inline int unit_parse_hex(const char *s, uint8_t *b, int max)
{
    int n = 0;
    unsigned v;
    while (*s && n < max) {
        if (*s == ' ') {
            s++;
            continue;
        }
        if (sscanf(s, "%2x", &v) != 1)
            break;
        b[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

#endif
