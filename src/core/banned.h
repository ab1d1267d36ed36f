/*
 * Functions piazza never calls. They either write without a bound (sprintf,
 * strcpy, strcat, gets), silently truncate without a terminator (strncpy),
 * keep hidden state (strtok) or hide parse errors (atoi). Including this header
 * last in a .c file turns any use into a compile error.
 */
#ifndef PZ_BANNED_H
#define PZ_BANNED_H

#define PZ_BANNED(func) sorry_##func##_is_banned_in_piazza

#undef sprintf
#define sprintf(...) PZ_BANNED(sprintf)
#undef strcpy
#define strcpy(a, b) PZ_BANNED(strcpy)
#undef strcat
#define strcat(a, b) PZ_BANNED(strcat)
#undef strncpy
#define strncpy(a, b, n) PZ_BANNED(strncpy)
#undef strtok
#define strtok(a, b) PZ_BANNED(strtok)
#undef atoi
#define atoi(a) PZ_BANNED(atoi)
#undef gets
#define gets(a) PZ_BANNED(gets)

#endif
