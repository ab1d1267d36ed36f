/*
 * Identity and name normalization. See normalize.h.
 *
 * Phone rules are written for the Italian numbering plan, which is piazza's
 * normal case: since 1998 the leading 0 of a landline is part of the number
 * (+39 06 ... keeps it), mobiles start with 3 and have 9 or 10 digits,
 * toll-free and service numbers start with 8 or 1. Other regions get the
 * generic rule: drop the national trunk prefix, prepend the country code.
 * Numbers with an explicit +CC or 00CC are checked only against E.164's
 * length, except +39, which gets the Italian checks too.
 */
#include "contacts/normalize.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/banned.h"

#define ERR_CODE "contact.identity_invalid"

static const char *const kinds[] = {"email",    "phone",     "whatsapp", "telegram", "linkedin",
                                    "facebook", "instagram", "x",        "website"};

int normalize_kind_valid(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 1;
    return 0;
}

int normalize_is_phone(const char *kind, const char *normalized)
{
    if (!kind)
        return 0;
    if (strcmp(kind, "phone") == 0 || strcmp(kind, "whatsapp") == 0)
        return 1;
    return strcmp(kind, "telegram") == 0 && normalized && normalized[0] == '+';
}

/* Narrows [*S, *S + *N) to its text without surrounding white space. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* --- phones ---------------------------------------------------------------------------- */

struct region {
    const char *code;
    const char *cc; /* country calling code */
    char trunk;     /* national trunk prefix dropped in E.164; 0 when kept or absent */
};

static const struct region regions[] = {
    {"IT", "39", 0},   {"SM", "378", 0},  {"VA", "39", 0}, {"CH", "41", '0'}, {"FR", "33", '0'},
    {"DE", "49", '0'}, {"AT", "43", '0'}, {"ES", "34", 0}, {"GB", "44", '0'}, {"US", "1", '1'},
};

static const struct region *find_region(const char *code)
{
    if (!code || !*code)
        code = NORMALIZE_DEFAULT_REGION;
    for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
        if (pz_str_ieq(code, regions[i].code))
            return &regions[i];
    return NULL;
}

/* Skips PREFIX (lower-case ASCII, compared case-insensitively) at *S; returns non-zero when it
 * was there. */
static int skip_prefix(const char **s, size_t *n, const char *prefix)
{
    size_t k = strlen(prefix);

    if (*n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)(*s)[i]) != prefix[i])
            return 0;
    *s += k;
    *n -= k;
    return 1;
}

/*
 * Checks the national part of an Italian number (what follows +39). Returns
 * NULL when it can exist, else why not.
 */
static const char *italian_check(const char *d, size_t n)
{
    size_t lo = 6, hi = 11;

    if (n == 0)
        return "has no digits after the country code";
    switch (d[0]) {
    case '0': /* landlines: 0 + area code + subscriber */
        break;
    case '3': /* mobiles */
        lo = 9;
        hi = 10;
        break;
    case '1': /* services */
    case '4':
    case '5':
    case '7':
    case '8': /* toll-free, shared cost, premium */
        hi = 10;
        break;
    default:
        return "is not a possible Italian number (they start with 0, 3 or 8); write a foreign"
               " number with its country code, like +44 20 7946 0958";
    }
    if (n < lo)
        return "is too short for a phone number";
    if (n > hi)
        return "is too long for a phone number";
    return NULL;
}

/* Writes "+" CC NATIONAL into OUT. */
static int phone_out(const char *cc, const char *nat, size_t n, char *out, size_t outsz)
{
    int len = snprintf(out, outsz, "+%s%.*s", cc, (int)n, nat);
    return (len < 0 || (size_t)len >= outsz) ? PZ_ETOOBIG : len;
}

/* Finishes a number given with its country code: D holds its N digits. */
static int phone_international(const char *in, char *d, size_t n, long trunk_at, char *out,
                               size_t outsz, struct pz_err *err)
{
    const char *why;

    if (n == 0 || d[0] == '0')
        return pz_err_set(err, ERR_CODE, "value",
                          "'%.60s' does not start with a valid country code", in);
    /* "+44 (0)20...": the (0) is the trunk prefix, not dialled from abroad. Italy and San
     * Marino keep the 0 in the number itself. */
    if (trunk_at >= 0 && (size_t)trunk_at < n && strncmp(d, "39", 2) != 0 &&
        strncmp(d, "378", 3) != 0) {
        memmove(d + trunk_at, d + trunk_at + 1, n - (size_t)trunk_at);
        n--;
    }
    if (strncmp(d, "39", 2) == 0) {
        why = italian_check(d + 2, n - 2);
        if (why)
            return pz_err_set(err, ERR_CODE, "value", "'%.60s' %s", in, why);
    } else if (n < 7) {
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is too short for a phone number", in);
    }
    if (n > 15)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is too long for a phone number", in);
    return phone_out("", d, n, out, outsz);
}

/* Finishes a number written without a country code, read in region RG. */
static int phone_national(const char *in, const struct region *rg, const char *d, size_t n,
                          char *out, size_t outsz, struct pz_err *err)
{
    const char *why;
    char trunk = rg->trunk;

    if (strcmp(rg->cc, "39") == 0) {
        /* 39 3331234567 or 39 0612345678: +39 written without the plus. No Italian
         * national number has 11 or 12 digits and starts with 39. */
        if (n >= 11 && n <= 12 && d[0] == '3' && d[1] == '9' && !italian_check(d + 2, n - 2))
            return phone_out("", d, n, out, outsz);
        why = italian_check(d, n);
        if (why)
            return pz_err_set(err, ERR_CODE, "value", "'%.60s' %s", in, why);
        return phone_out(rg->cc, d, n, out, outsz);
    }
    if (trunk && n > 1 && d[0] == trunk) {
        d++;
        n--;
    }
    if (n < 4 || strlen(rg->cc) + n < 7)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is too short for a phone number", in);
    if (strlen(rg->cc) + n > 15)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is too long for a phone number", in);
    return phone_out(rg->cc, d, n, out, outsz);
}

int normalize_phone(const char *in, const char *region, char *out, size_t outsz, struct pz_err *err)
{
    const struct region *rg = find_region(region);
    const char *s = in ? in : "";
    size_t len = strlen(s), n = 0;
    char d[24];
    int plus = 0;
    long trunk_at = -1;

    if (!rg)
        return pz_err_set(err, ERR_CODE, "region", "'%.20s' is not a region piazza knows", region);
    trim(&s, &len);
    if (skip_prefix(&s, &len, "tel:"))
        trim(&s, &len);
    if (len == 0)
        return pz_err_set(err, ERR_CODE, "value", "the phone number is empty");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') {
            if (n >= 17)
                return pz_err_set(err, ERR_CODE, "value", "'%.60s' is too long for a phone number",
                                  in);
            d[n++] = (char)c;
        } else if (c == '+' && n == 0 && !plus) {
            plus = 1;
        } else if (c == '(' && n > 0 && i + 2 < len && s[i + 1] == '0' && s[i + 2] == ')') {
            trunk_at = (long)n;
            d[n++] = '0';
            i += 2;
        } else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' ||
                   c == ')') {
            continue;
        } else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
            i++; /* no-break space */
        } else if (isalpha(c)) {
            return pz_err_set(err, ERR_CODE, "value",
                              "'%.60s' is not a phone number: it contains letters", in);
        } else {
            return pz_err_set(err, ERR_CODE, "value",
                              "'%.60s' is not a phone number: only digits, spaces, + - . / ( )"
                              " may appear",
                              in);
        }
    }
    d[n] = '\0';
    if (n == 0)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' has no digits", in);
    if (plus)
        return phone_international(in, d, n, trunk_at, out, outsz, err);
    if (n >= 2 && d[0] == '0' && d[1] == '0')
        return phone_international(in, d + 2, n - 2, trunk_at - 2, out, outsz, err);
    return phone_national(in, rg, d, n, out, outsz, err);
}

/* --- e-mail and Telegram --------------------------------------------------------------- */

int normalize_email(const char *in, char *out, size_t outsz, struct pz_err *err)
{
    const char *s = in ? in : "";
    int r;

    while (isspace((unsigned char)*s))
        s++;
    if (strncmp(s, "mailto:", 7) == 0 || strncmp(s, "MAILTO:", 7) == 0)
        s += 7;
    r = pz_email_normalize(s, out, outsz);
    if (r < 0)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not an e-mail address", in ? in : "");
    return r;
}

int normalize_telegram(const char *in, const char *region, char *out, size_t outsz,
                       struct pz_err *err)
{
    const char *s = in ? in : "";
    size_t n = strlen(s);

    trim(&s, &n);
    if (n > 0 && (s[0] == '+' || s[0] == '(' || isdigit((unsigned char)s[0])))
        return normalize_phone(in, region, out, outsz, err);
    if (!skip_prefix(&s, &n, "https://"))
        skip_prefix(&s, &n, "http://");
    skip_prefix(&s, &n, "www.");
    if (!skip_prefix(&s, &n, "t.me/"))
        skip_prefix(&s, &n, "telegram.me/");
    if (n > 0 && s[0] == '@') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == '/')
        n--;
    if (n < 5 || n > 32 || !isalpha((unsigned char)s[0]))
        return pz_err_set(err, ERR_CODE, "value",
                          "'%.60s' is not a Telegram username (5 to 32 letters, digits or _)"
                          " or phone number",
                          in ? in : "");
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return pz_err_set(err, ERR_CODE, "value",
                              "'%.60s' is not a Telegram username (5 to 32 letters, digits or _)"
                              " or phone number",
                              in ? in : "");
    if (n + 2 > outsz)
        return PZ_ETOOBIG;
    out[0] = '@';
    for (size_t i = 0; i < n; i++)
        out[i + 1] = (char)tolower((unsigned char)s[i]);
    out[n + 1] = '\0';
    return (int)n + 1;
}

/* --- addresses ------------------------------------------------------------------------- */

struct url {
    char scheme[8];
    char host[256];
    char path[NORMALIZE_MAX];
    char query[NORMALIZE_MAX];
};

/*
 * Copies the host at [HOST, END) into U->host lower-cased, dropping the
 * scheme's default port. Returns NULL, or why it is not a host name.
 */
static const char *url_host(struct url *u, const char *host, const char *end)
{
    const char *colon = memchr(host, ':', (size_t)(end - host)), *copy_end = end;
    size_t h = 0;

    if (memchr(host, '@', (size_t)(end - host)))
        return "has a user name in it";
    if (colon) {
        const char *def = strcmp(u->scheme, "https") == 0 ? "443" : "80";
        size_t plen = (size_t)(end - colon - 1);
        for (const char *p = colon + 1; p < end; p++)
            if (!isdigit((unsigned char)*p))
                return "has a bad port number";
        if (plen == 0 || (plen == strlen(def) && strncmp(colon + 1, def, plen) == 0))
            copy_end = colon;
    }
    for (const char *p = host; p < copy_end; p++) {
        unsigned char c = (unsigned char)*p;
        if (h + 1 >= sizeof(u->host))
            return "has a host name that is too long";
        if (!(isalnum(c) || c == '.' || c == '-' || c == ':' || c >= 0x80))
            return "has a host name with characters host names cannot have";
        u->host[h++] = (char)tolower(c);
    }
    while (h > 0 && u->host[h - 1] == '.')
        u->host[--h] = '\0';
    if (h == 0 || !strchr(u->host, '.') || u->host[0] == '.' || strstr(u->host, ".."))
        return "is not a web address (no host name)";
    return NULL;
}

/*
 * Splits the N bytes at S into scheme, host, path and query; the fragment is
 * dropped. Returns NULL, or why the text is not an address.
 */
static const char *url_parse(const char *s, size_t n, struct url *u)
{
    const char *sep, *end = s + n, *host, *why;
    size_t i;

    memset(u, 0, sizeof(*u));
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F || s[i] == '\\' || s[i] == '"' ||
            s[i] == '<' || s[i] == '>')
            return "is not a web address (it has spaces or characters addresses cannot have)";
    sep = strstr(s, "://");
    if (sep && sep < end && sep - s <= 6) {
        size_t k = (size_t)(sep - s);
        for (i = 0; i < k; i++)
            u->scheme[i] = (char)tolower((unsigned char)s[i]);
        if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0)
            return "is not an http or https address";
        s = sep + 3;
    } else {
        memcpy(u->scheme, "https", 6);
        if (n >= 2 && s[0] == '/' && s[1] == '/')
            s += 2;
    }
    host = s;
    while (s < end && *s != '/' && *s != '?' && *s != '#')
        s++;
    why = url_host(u, host, s);
    if (why)
        return why;
    for (i = 0; s < end && *s != '?' && *s != '#'; s++) {
        if (i + 1 >= sizeof(u->path))
            return "is too long";
        u->path[i++] = *s;
    }
    if (s < end && *s == '?')
        s++;
    for (i = 0; s < end && *s != '#'; s++) {
        if (i + 1 >= sizeof(u->query))
            return "is too long";
        u->query[i++] = *s;
    }
    return NULL;
}

/* Parameters that say where a click came from, never what the page is. */
static int tracking_param(const char *name, size_t n)
{
    static const char *const names[] = {
        "fbclid",  "gclid",      "dclid",  "msclkid", "yclid", "twclid",  "ttclid",
        "wbraid",  "gbraid",     "igshid", "igsh",    "trk",   "trkinfo", "originalsubdomain",
        "lipi",    "mc_cid",     "mc_eid", "_hsenc",  "_hsmi", "mkt_tok", "ref_src",
        "ref_url", "trackingid", "lici",   "si",
    };
    char low[32];

    if (n >= 4 && strncmp(name, "utm_", 4) == 0)
        return 1;
    if (n == 0 || n >= sizeof(low))
        return n == 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(low, names[i]) == 0)
            return 1;
    return 0;
}

/* Rewrites U->query keeping only the parameters that are not tracking ones. */
static void strip_tracking(struct url *u)
{
    char kept[NORMALIZE_MAX];
    size_t k = 0;
    const char *p = u->query;

    while (*p) {
        const char *amp = strchr(p, '&'), *eq;
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        eq = memchr(p, '=', len);
        if (len > 0 && !tracking_param(p, eq ? (size_t)(eq - p) : len)) {
            if (k > 0)
                kept[k++] = '&';
            memcpy(kept + k, p, len);
            k += len;
        }
        p += len + (amp ? 1 : 0);
    }
    kept[k] = '\0';
    memcpy(u->query, kept, k + 1);
}

/* Returns the host without a leading "www.", "m.", "mobile." or "web.". */
static const char *bare_host(const char *host)
{
    static const char *const prefixes[] = {"www.", "m.", "mobile.", "web."};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (pz_str_starts(host, prefixes[i]))
            return host + strlen(prefixes[i]);
    return host;
}

/* Non-zero when HOST is DOMAIN or one of its subdomains. */
static int host_is(const char *host, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);
    if (h == d)
        return strcmp(host, domain) == 0;
    return h > d && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/*
 * Copies path segment SEG (N bytes) into OUT lower-cased, with %XX escapes
 * decoded when they spell valid UTF-8 (so an escaped and a raw accented
 * handle meet). Returns the length or PZ_ETOOBIG.
 */
static int handle_copy(const char *seg, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    int decoded = 1;

    for (size_t i = 0; i < n && decoded; i++) {
        int c = (unsigned char)seg[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(seg[i + 1]) : -1, lo = i + 2 < n ? hexval(seg[i + 2]) : -1;
            if (hi < 0 || lo < 0 || hi * 16 + lo < 0x20) {
                decoded = 0;
                break;
            }
            c = hi * 16 + lo;
            i += 2;
        }
        if (o + 1 >= outsz)
            return PZ_ETOOBIG;
        out[o++] = (char)tolower(c);
    }
    if (!decoded || !pz_utf8_valid(out, o)) {
        if (n + 1 > outsz)
            return PZ_ETOOBIG;
        for (o = 0; o < n; o++)
            out[o] = (char)tolower((unsigned char)seg[o]);
    }
    out[o] = '\0';
    return (int)o;
}

/* Finds path segment IDX (0-based) of PATH; returns its start and sets *N, or NULL. */
static const char *segment(const char *path, int idx, size_t *n)
{
    const char *p = path;

    for (int i = 0;; i++) {
        while (*p == '/')
            p++;
        if (!*p)
            return NULL;
        *n = strcspn(p, "/");
        if (i == idx)
            return p;
        p += *n;
    }
}

/* Non-zero when the N bytes at S are all letters, digits or characters in EXTRA. */
static int all_of(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
            return 0;
    return n > 0;
}

/* Non-zero when the N bytes at S are exactly WORD. */
static int seg_is(const char *s, size_t n, const char *word)
{
    return s && n == strlen(word) && strncmp(s, word, n) == 0;
}

/* Writes "https://HOST/PREFIX<handle>" with the handle lower-cased and unescaped. */
static int profile_out(const char *host, const char *prefix, const char *seg, size_t n, char *out,
                       size_t outsz)
{
    char handle[NORMALIZE_MAX];
    int len, r = handle_copy(seg, n, handle, sizeof(handle));

    if (r < 0)
        return r;
    len = snprintf(out, outsz, "https://%s/%s%s", host, prefix, handle);
    return (len < 0 || (size_t)len >= outsz) ? PZ_ETOOBIG : len;
}

static int linkedin_out(const char *in, const struct url *u, char *out, size_t outsz,
                        struct pz_err *err)
{
    static const char *const sections[] = {"in/", "company/", "school/", "showcase/"};
    size_t n0 = 0, n1 = 0, len;
    const char *s0 = segment(u->path, 0, &n0), *s1 = segment(u->path, 1, &n1);

    if (!host_is(u->host, "linkedin.com"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not a LinkedIn address", in);
    for (size_t i = 0; s1 && i < sizeof(sections) / sizeof(sections[0]); i++)
        if (n0 + 1 == strlen(sections[i]) && strncmp(s0, sections[i], n0) == 0)
            return profile_out("linkedin.com", sections[i], s1, n1, out, outsz);
    if (s1 && seg_is(s0, n0, "pub")) {
        /* Old public profiles: /pub/name/1/23/456; the whole path is the key. */
        len = strlen(s0);
        while (len > 0 && s0[len - 1] == '/')
            len--;
        return profile_out("linkedin.com", "", s0, len, out, outsz);
    }
    return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not a LinkedIn profile address", in);
}

static int x_out(const char *in, const struct url *u, char *out, size_t outsz, struct pz_err *err)
{
    static const char *const reserved[] = {
        "home",    "i",       "intent",   "share",    "search",
        "hashtag", "explore", "settings", "messages", "notifications"};
    size_t n = 0;
    const char *s = segment(u->path, 0, &n);

    if (!host_is(u->host, "x.com") && !host_is(u->host, "twitter.com"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not an X (Twitter) address", in);
    if (!s || n > 15 || !all_of(s, n, "_"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not an X profile address", in);
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (seg_is(s, n, reserved[i]))
            return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not an X profile address", in);
    return profile_out("x.com", "", s, n, out, outsz);
}

static int instagram_out(const char *in, const struct url *u, char *out, size_t outsz,
                         struct pz_err *err)
{
    size_t n = 0;
    const char *s = segment(u->path, 0, &n);

    if (!host_is(u->host, "instagram.com"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not an Instagram address", in);
    if (!s || n > 30 || !all_of(s, n, "._") || seg_is(s, n, "p") || seg_is(s, n, "reel") ||
        seg_is(s, n, "explore") || seg_is(s, n, "stories"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not an Instagram profile address",
                          in);
    return profile_out("instagram.com", "", s, n, out, outsz);
}

/* Returns the digits of the id=N parameter of QUERY and sets *N, or NULL. */
static const char *query_id(const char *query, size_t *n)
{
    const char *p = query;

    while (p && *p) {
        if (pz_str_starts(p, "id=")) {
            *n = strspn(p + 3, "0123456789");
            return (*n > 0 && *n < 30) ? p + 3 : NULL;
        }
        p = strchr(p, '&');
        if (p)
            p++;
    }
    return NULL;
}

static int facebook_out(const char *in, const struct url *u, char *out, size_t outsz,
                        struct pz_err *err)
{
    size_t n = 0, n1 = 0, n2 = 0, k = 0;
    const char *s = segment(u->path, 0, &n), *s1 = segment(u->path, 1, &n1),
               *s2 = segment(u->path, 2, &n2), *id;
    int len;

    if (!host_is(u->host, "facebook.com") && !host_is(u->host, "fb.com"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not a Facebook address", in);
    if (seg_is(s, n, "profile.php")) {
        id = query_id(u->query, &k);
        if (!id)
            return pz_err_set(err, ERR_CODE, "value", "'%.60s' has no profile id", in);
        len = snprintf(out, outsz, "https://facebook.com/profile.php?id=%.*s", (int)k, id);
        return (len < 0 || (size_t)len >= outsz) ? PZ_ETOOBIG : len;
    }
    if ((seg_is(s, n, "people") || seg_is(s, n, "pages")) && s2 && all_of(s2, n2, "")) {
        /* /people/Name/123: the number is the profile; the name is kept lower-cased. */
        char name[NORMALIZE_MAX], prefix[NORMALIZE_MAX + 16];
        if (handle_copy(s1, n1, name, sizeof(name)) < 0)
            return PZ_ETOOBIG;
        snprintf(prefix, sizeof(prefix), "%.*s/%s/", (int)n, s, name);
        return profile_out("facebook.com", prefix, s2, n2, out, outsz);
    }
    if (!s || !all_of(s, n, ".-_%"))
        return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not a Facebook profile address", in);
    return profile_out("facebook.com", "", s, n, out, outsz);
}

static int website_out(struct url *u, char *out, size_t outsz)
{
    size_t len = strlen(u->path);
    int r;

    while (len > 0 && u->path[len - 1] == '/')
        u->path[--len] = '\0';
    strip_tracking(u);
    r = snprintf(out, outsz, "%s://%s%s%s%s", u->scheme, u->host, u->path, u->query[0] ? "?" : "",
                 u->query);
    return (r < 0 || (size_t)r >= outsz) ? PZ_ETOOBIG : r;
}

/* Turns a bare handle ("@name", or "name" where the network allows it) into a URL. */
static int bare_handle(const char *kind, const char *s, size_t n, char *url, size_t urlsz)
{
    int at = n > 0 && s[0] == '@';
    const char *host = NULL, *prefix = "";

    if (at) {
        s++;
        n--;
    }
    if (n == 0 || memchr(s, '/', n) || (memchr(s, '.', n) && !at))
        return 0;
    if (strcmp(kind, "x") == 0)
        host = "x.com";
    else if (strcmp(kind, "instagram") == 0)
        host = "instagram.com";
    else if (strcmp(kind, "linkedin") == 0 && !at)
        host = "linkedin.com", prefix = "in/";
    if (!host)
        return 0;
    snprintf(url, urlsz, "https://%s/%s%.*s", host, prefix, (int)n, s);
    return 1;
}

int normalize_url(const char *kind, const char *in, char *out, size_t outsz, struct pz_err *err)
{
    const char *s = in ? in : "";
    size_t n = strlen(s);
    char expanded[NORMALIZE_MAX];
    struct url u;
    const char *why;
    int r;

    trim(&s, &n);
    if (n == 0)
        return pz_err_set(err, ERR_CODE, "value", "the address is empty");
    if (n >= NORMALIZE_MAX)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s...' is too long", in);
    if (bare_handle(kind, s, n, expanded, sizeof(expanded))) {
        s = expanded;
        n = strlen(expanded);
    }
    why = url_parse(s, n, &u);
    if (why) {
        r = pz_err_set(err, ERR_CODE, "value", "'%.60s' %s", in, why);
    } else if (strcmp(kind, "website") == 0) {
        r = website_out(&u, out, outsz);
    } else {
        const char *bare = bare_host(u.host);
        memmove(u.host, bare, strlen(bare) + 1);
        if (strcmp(kind, "linkedin") == 0)
            r = linkedin_out(in, &u, out, outsz, err);
        else if (strcmp(kind, "x") == 0)
            r = x_out(in, &u, out, outsz, err);
        else if (strcmp(kind, "instagram") == 0)
            r = instagram_out(in, &u, out, outsz, err);
        else if (strcmp(kind, "facebook") == 0)
            r = facebook_out(in, &u, out, outsz, err);
        else
            r = pz_err_set(err, ERR_CODE, "kind", "'%.20s' is not an address kind", kind);
    }
    if (r == PZ_ETOOBIG)
        return pz_err_set(err, ERR_CODE, "value", "'%.60s...' is too long", in);
    return r;
}

int normalize_identity(const char *kind, const char *in, const char *region, char *out,
                       size_t outsz, struct pz_err *err)
{
    if (!normalize_kind_valid(kind))
        return pz_err_set(err, ERR_CODE, "kind",
                          "'%.20s' is not an identity kind (email, phone, whatsapp, telegram,"
                          " linkedin, facebook, instagram, x, website)",
                          kind ? kind : "");
    if (!in || !pz_utf8_valid(in, strlen(in)))
        return pz_err_set(err, ERR_CODE, "value", "the value is not valid UTF-8 text");
    if (strcmp(kind, "email") == 0)
        return normalize_email(in, out, outsz, err);
    if (strcmp(kind, "phone") == 0)
        return normalize_phone(in, region, out, outsz, err);
    if (strcmp(kind, "whatsapp") == 0) {
        /* wa.me/393331234567 links carry the number without its plus. */
        const char *s = in;
        size_t n = strlen(s);
        char plus[64];
        trim(&s, &n);
        if (!skip_prefix(&s, &n, "https://"))
            skip_prefix(&s, &n, "http://");
        if (skip_prefix(&s, &n, "wa.me/") || skip_prefix(&s, &n, "api.whatsapp.com/send?phone=")) {
            size_t k = strcspn(s, "/?&#");
            if (k == 0 || k > 20 || !isdigit((unsigned char)s[0]))
                return pz_err_set(err, ERR_CODE, "value", "'%.60s' is not a WhatsApp link", in);
            snprintf(plus, sizeof(plus), "+%.*s", (int)k, s);
            return normalize_phone(plus, region, out, outsz, err);
        }
        return normalize_phone(in, region, out, outsz, err);
    }
    if (strcmp(kind, "telegram") == 0)
        return normalize_telegram(in, region, out, outsz, err);
    return normalize_url(kind, in, out, outsz, err);
}

/* --- folding --------------------------------------------------------------------------- */

/* Latin-1 Supplement and Latin Extended-A letters, U+00C0..U+017F, without accents. */
static const char *const latin_fold[192] = {
    /* U+00C0 */ "a",
    "a",
    "a",
    "a",
    "a",
    "a",
    "ae",
    "c",
    "e",
    "e",
    "e",
    "e",
    "i",
    "i",
    "i",
    "i",
    /* U+00D0 */ "d",
    "n",
    "o",
    "o",
    "o",
    "o",
    "o",
    NULL,
    "o",
    "u",
    "u",
    "u",
    "u",
    "y",
    "th",
    "ss",
    /* U+00E0 */ "a",
    "a",
    "a",
    "a",
    "a",
    "a",
    "ae",
    "c",
    "e",
    "e",
    "e",
    "e",
    "i",
    "i",
    "i",
    "i",
    /* U+00F0 */ "d",
    "n",
    "o",
    "o",
    "o",
    "o",
    "o",
    NULL,
    "o",
    "u",
    "u",
    "u",
    "u",
    "y",
    "th",
    "y",
    /* U+0100 */ "a",
    "a",
    "a",
    "a",
    "a",
    "a",
    "c",
    "c",
    "c",
    "c",
    "c",
    "c",
    "c",
    "c",
    "d",
    "d",
    /* U+0110 */ "d",
    "d",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "e",
    "g",
    "g",
    "g",
    "g",
    /* U+0120 */ "g",
    "g",
    "g",
    "g",
    "h",
    "h",
    "h",
    "h",
    "i",
    "i",
    "i",
    "i",
    "i",
    "i",
    "i",
    "i",
    /* U+0130 */ "i",
    "i",
    "ij",
    "ij",
    "j",
    "j",
    "k",
    "k",
    "k",
    "l",
    "l",
    "l",
    "l",
    "l",
    "l",
    "l",
    /* U+0140 */ "l",
    "l",
    "l",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "n",
    "o",
    "o",
    "o",
    "o",
    /* U+0150 */ "o",
    "o",
    "oe",
    "oe",
    "r",
    "r",
    "r",
    "r",
    "r",
    "r",
    "s",
    "s",
    "s",
    "s",
    "s",
    "s",
    /* U+0160 */ "s",
    "s",
    "t",
    "t",
    "t",
    "t",
    "t",
    "t",
    "u",
    "u",
    "u",
    "u",
    "u",
    "u",
    "u",
    "u",
    /* U+0170 */ "u",
    "u",
    "u",
    "u",
    "w",
    "w",
    "y",
    "y",
    "y",
    "z",
    "z",
    "z",
    "z",
    "z",
    "z",
    "s",
};

static unsigned decode(const unsigned char *s, size_t len)
{
    switch (len) {
    case 1:
        return s[0];
    case 2:
        return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    case 3:
        return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    default:
        return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
               (s[3] & 0x3Fu);
    }
}

/* Encodes a code point below U+0800 (enough for Greek and Cyrillic) into OUT. */
static size_t encode2(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

static int fold_space(unsigned cp)
{
    return cp <= ' ' || cp == 0x7F || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0x2028 || cp == 0x2029;
}

/*
 * The folded spelling of code point CP (LEN bytes at S) into PIECE; returns
 * its length, 0 to drop the character.
 */
static size_t fold_one(unsigned cp, const char *s, size_t len, char piece[8])
{
    if (cp < 0x80) {
        piece[0] = (char)tolower((int)cp);
        return 1;
    }
    if (cp >= 0xC0 && cp <= 0x17F && latin_fold[cp - 0xC0]) {
        const char *f = latin_fold[cp - 0xC0];
        size_t k = 0;
        while (f[k]) {
            piece[k] = f[k];
            k++;
        }
        return k;
    }
    if (cp >= 0x218 && cp <= 0x21B) { /* Romanian ș ț with comma below */
        piece[0] = cp < 0x21A ? 's' : 't';
        return 1;
    }
    if (cp >= 0x300 && cp <= 0x36F)
        return 0; /* combining accents of decomposed text */
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
        return encode2(cp + 0x20, piece);
    if (cp >= 0x410 && cp <= 0x42F)
        return encode2(cp + 0x20, piece);
    if (cp >= 0x400 && cp <= 0x40F)
        return encode2(cp + 0x50, piece);
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032 || cp == 0x02BC) {
        piece[0] = '\'';
        return 1;
    }
    if (cp == 0x201C || cp == 0x201D || cp == 0x201E) {
        piece[0] = '"';
        return 1;
    }
    if (cp >= 0x2010 && cp <= 0x2015) {
        piece[0] = '-';
        return 1;
    }
    memcpy(piece, s, len);
    return len;
}

int normalize_fold(const char *in, char *out, size_t outsz)
{
    size_t n = in ? strlen(in) : 0, i = 0, o = 0;
    int space = 0;

    if (outsz == 0)
        return PZ_ETOOBIG;
    while (i < n) {
        size_t len, plen;
        char piece[8];
        unsigned cp;
        unsigned char ch = (unsigned char)in[i];

        /* ASCII letters, digits and punctuation, most of any name: as fold_one would. */
        if (ch > ' ' && ch < 0x7F) {
            if (o + 1 + (space && o > 0) >= outsz)
                break;
            if (space && o > 0)
                out[o++] = ' ';
            space = 0;
            out[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
            i++;
            continue;
        }
        len = pz_utf8_char_len(in + i, n - i);
        if (len == 0) {
            i++;
            continue;
        }
        cp = decode((const unsigned char *)in + i, len);
        if (fold_space(cp)) {
            space = 1;
            i += len;
            continue;
        }
        plen = fold_one(cp, in + i, len, piece);
        i += len;
        if (plen == 0)
            continue;
        if (o + plen + (space && o > 0) >= outsz)
            break;
        if (space && o > 0)
            out[o++] = ' ';
        space = 0;
        memcpy(out + o, piece, plen);
        o += plen;
    }
    out[o] = '\0';
    return (int)o;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int normalize_name_key(const char *in, int sort_tokens, char *out, size_t outsz)
{
    char folded[512], clean[512];
    char *tokens[32];
    size_t n_tokens = 0, c = 0, o = 0;
    char *p;

    if (outsz == 0)
        return PZ_ETOOBIG;
    normalize_fold(in, folded, sizeof(folded));
    /* Dots and apostrophes join ("S.r.l." -> "srl", "D'Angelo" -> "dangelo"); other
     * punctuation separates words. */
    for (const char *f = folded; *f; f++) {
        unsigned char ch = (unsigned char)*f;
        if (ch == '.' || ch == '\'')
            continue;
        clean[c++] = (isalnum(ch) || ch >= 0x80) ? (char)ch : ' ';
    }
    clean[c] = '\0';
    for (p = clean; *p && n_tokens < sizeof(tokens) / sizeof(tokens[0]);) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        tokens[n_tokens++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    if (sort_tokens)
        qsort(tokens, n_tokens, sizeof(tokens[0]), cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < n_tokens; i++) {
        size_t k = strlen(tokens[i]);
        if (o + k + (o > 0) + 1 > outsz)
            break;
        if (o > 0)
            out[o++] = ' ';
        memcpy(out + o, tokens[i], k);
        o += k;
        out[o] = '\0';
    }
    return (int)o;
}

/*
 * Whether A (LA bytes) and B (LB bytes, LA >= LB) are at most one edit apart:
 * 0 (equal), 1, or 2 (more). With equal lengths only a substitution can make
 * one edit; with one byte more, A must be B with one byte inserted. This is
 * the whole of the dynamic programme below when the limit is 1, in one pass
 * (the duplicate check asks it of every pair of names at an organization).
 */
static int one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;

    while (i < lb && a[i] == b[i])
        i++;
    if (i == lb)
        return la == lb ? 0 : 1;
    if (la == lb)
        return strcmp(a + i + 1, b + i + 1) == 0 ? 1 : 2;
    return strcmp(a + i + 1, b + i) == 0 ? 1 : 2;
}

int normalize_distance(const char *a, const char *b, int limit)
{
    int row[257], prev[257];
    size_t la = strlen(a), lb = strlen(b);

    if ((la > lb ? la - lb : lb - la) > (size_t)limit)
        return limit + 1;
    if (limit == 1)
        return la >= lb ? one_edit(a, la, b, lb) : one_edit(b, lb, a, la);
    if (lb > 256 || la > 256)
        return strcmp(a, b) == 0 ? 0 : limit + 1;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int best;
        row[0] = (int)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (row[j] < best)
                best = row[j];
        }
        if (best > limit)
            return limit + 1;
        memcpy(prev, row, (lb + 1) * sizeof(int));
    }
    return prev[lb] > limit ? limit + 1 : prev[lb];
}
