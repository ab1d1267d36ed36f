/*
 * Values common to contacts exports. See values.h.
 */
#include "import/values.h"

#include <string.h>

#include "core/text.h"
#include "core/banned.h"

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive: do the N bytes at S equal WORD? */
static int slice_ieq(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n && word[i]; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return 0;
    return i == n && word[i] == '\0';
}

/* Case-insensitive prefix test on a slice; returns the prefix length or 0. */
static size_t slice_istarts(const char *s, size_t n, const char *prefix)
{
    size_t len = strlen(prefix);

    if (n < len)
        return 0;
    return slice_ieq(s, len, prefix) ? len : 0;
}

/* Does HOST (N bytes) equal DOMAIN or end with "." DOMAIN? */
static int host_is(const char *host, size_t n, const char *domain)
{
    size_t d = strlen(domain);

    if (n == d)
        return slice_ieq(host, n, domain);
    return n > d && host[n - d - 1] == '.' && slice_ieq(host + n - d, d, domain);
}

const char *values_url_kind(const char *url)
{
    const char *s = url, *host, *path;
    size_t n = strlen(url), skip, hn;

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if ((skip = slice_istarts(s, n, "https://")) || (skip = slice_istarts(s, n, "http://")) ||
        (skip = slice_istarts(s, n, "//"))) {
        s += skip;
        n -= skip;
    }
    host = s;
    for (hn = 0; hn < n; hn++)
        if (host[hn] == '/' || host[hn] == '?' || host[hn] == '#' || host[hn] == ':')
            break;
    path = host + hn;
    /* Skip a port. */
    while (*path == ':' || (*path >= '0' && *path <= '9'))
        path++;
    if (hn == 0)
        return "website";
    if (host_is(host, hn, "linkedin.com")) {
        size_t pn = strlen(path);
        if (slice_istarts(path, pn, "/in/") || slice_istarts(path, pn, "/pub/"))
            return "linkedin";
        return "website";
    }
    if (host_is(host, hn, "facebook.com") || host_is(host, hn, "fb.com"))
        return "facebook";
    if (host_is(host, hn, "instagram.com"))
        return "instagram";
    if (host_is(host, hn, "x.com") || host_is(host, hn, "twitter.com"))
        return "x";
    return "website";
}

const char *values_service_kind(const char *name, size_t n)
{
    static const struct {
        const char *name, *kind;
    } services[] = {
        {"linkedin", "linkedin"},
        {"facebook", "facebook"},
        {"instagram", "instagram"},
        {"twitter", "x"},
        {"x", "x"},
        {"telegram", "telegram"},
        {"whatsapp", "whatsapp"},
    };

    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if (slice_ieq(name, n, services[i].name))
            return services[i].kind;
    return NULL;
}

char *values_trim(char *s)
{
    size_t n = strlen(s), start = 0;

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    while (start < n &&
           (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' || s[start] == '\n'))
        start++;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
    return s;
}

const char *values_label(char *s)
{
    static const struct {
        const char *word, *label;
    } known[] = {
        {"cell", "cell"},      {"mobile", "cell"},  {"iphone", "cell"},      {"cellulare", "cell"},
        {"home", "home"},      {"casa", "home"},    {"abitazione", "home"},  {"work", "work"},
        {"business", "work"},  {"lavoro", "work"},  {"ufficio", "work"},     {"fax", "fax"},
        {"home fax", "fax"},   {"work fax", "fax"}, {"business fax", "fax"}, {"pager", "pager"},
        {"main", "main"},      {"other", "other"},  {"altro", "other"},      {"homepage", "home"},
        {"home page", "home"},
    };
    size_t n;

    values_trim(s);
    if (s[0] == '*' && (s[1] == ' ' || s[1] == '\0')) {
        memmove(s, s + 1, strlen(s));
        values_trim(s);
    }
    n = strlen(s);
    if (n >= 8 && memcmp(s, "_$!<", 4) == 0 && memcmp(s + n - 4, ">!$_", 4) == 0) {
        memmove(s, s + 4, n - 8);
        s[n - 8] = '\0';
        values_trim(s);
    }
    if (!*s)
        return NULL;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (pz_str_ieq(s, known[i].word))
            return known[i].label;
    return s;
}

const char *values_tag(char *s)
{
    values_trim(s);
    if (s[0] == '*' && (s[1] == ' ' || s[1] == '\0')) {
        memmove(s, s + 1, strlen(s));
        values_trim(s);
    }
    if (!*s || pz_str_ieq(s, "My Contacts") || pz_str_ieq(s, "myContacts"))
        return NULL;
    return s;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads 1 to MAX digits at *P; returns the number or -1. */
static int digits(const char **p, int min, int max)
{
    int v = 0, n = 0;

    while (n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n >= min ? v : -1;
}

int64_t values_date_ms(const char *s)
{
    static const char months[12][4] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
    const char *p = s;
    int y, m = 0, d;

    while (*p == ' ')
        p++;
    if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
        p[3] >= '0' && p[3] <= '9' && p[4] == '-') {
        y = digits(&p, 4, 4);
        if (*p++ != '-' || (m = digits(&p, 2, 2)) < 0 || *p++ != '-' || (d = digits(&p, 2, 2)) < 0)
            return -1;
    } else {
        if ((d = digits(&p, 1, 2)) < 0 || *p++ != ' ')
            return -1;
        for (int i = 0; i < 12; i++)
            if (lower((unsigned char)p[0]) == months[i][0] &&
                lower((unsigned char)p[1]) == months[i][1] &&
                lower((unsigned char)p[2]) == months[i][2])
                m = i + 1;
        if (m == 0 || p[3] != ' ')
            return -1;
        p += 4;
        if ((y = digits(&p, 4, 4)) < 0)
            return -1;
    }
    while (*p == ' ')
        p++;
    if (*p || y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    return days_from_civil(y, m, d) * 86400000;
}
