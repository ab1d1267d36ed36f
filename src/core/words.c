/*
 * Words for full-text search. See words.h. Folding runs on every byte an
 * import indexes, so ASCII takes a table and only other characters go through
 * utf8proc (one code point at a time, into a small buffer: no allocation).
 * Stemming a word twice (Italian, English) is the dearer part; words repeat
 * a lot in chats, so a small direct-mapped cache of recent words and their
 * stems answers most of them.
 */
#include "core/words.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define FOLD_OPTIONS (UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK)

/* ASCII: 0 separates, else the folded byte. */
static unsigned char ascii_fold(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    return 0;
}

static uint32_t decode(const unsigned char *s, size_t len)
{
    if (len == 2)
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (len == 3)
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/* Scripts written without spaces between words: each character is a word. */
static int is_ideograph(uint32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

enum { CP_SEPARATOR, CP_WORD, CP_IGNORE, CP_ALONE };

static int classify(uint32_t cp)
{
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_ideograph(cp) ? CP_ALONE : CP_WORD;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return CP_WORD;
    case UTF8PROC_CATEGORY_CF:
        return CP_IGNORE;
    default:
        return CP_SEPARATOR;
    }
}

/* Appends the folded form of CP to the word (N bytes used), whole characters only. */
static size_t fold_append(char *w, size_t n, uint32_t cp)
{
    utf8proc_int32_t out[8];
    int last = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, out, 8, FOLD_OPTIONS, &last);

    if (k < 0 || k > 8)
        return n;
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m;
        /* Compatibility forms may bring separators ("½" is 1, fraction slash, 2): dropped,
         * so that folding a folded word changes nothing. */
        if (out[i] < 0x80
                ? !ascii_fold((unsigned char)out[i])
                : classify((uint32_t)out[i]) != CP_WORD && classify((uint32_t)out[i]) != CP_ALONE)
            continue;
        m = utf8proc_encode_char(out[i], enc);
        if (m <= 0 || n + (size_t)m > PZ_WORD_MAX)
            return n;
        memcpy(w + n, enc, (size_t)m);
        n += (size_t)m;
    }
    return n;
}

int pz_words(const char *text, size_t n, pz_word_fn fn, void *arg)
{
    const unsigned char *s = (const unsigned char *)text;
    char w[PZ_WORD_MAX];
    size_t wn = 0, start = 0, end = 0, i = 0;
    int in_word = 0, r;

    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        int cls;

        if (c < 0x80) {
            unsigned char f = ascii_fold(c);
            if (f) {
                if (!in_word) {
                    in_word = 1;
                    start = i;
                    wn = 0;
                }
                if (wn < PZ_WORD_MAX)
                    w[wn++] = (char)f;
                end = ++i;
                continue;
            }
            len = 1;
            cls = CP_SEPARATOR;
            cp = c;
        } else {
            len = pz_utf8_char_len(text + i, n - i);
            if (len == 0) {
                len = 1;
                cls = CP_SEPARATOR;
                cp = 0;
            } else {
                cp = decode(s + i, len);
                cls = classify(cp);
            }
        }
        if (cls == CP_WORD) {
            if (!in_word) {
                in_word = 1;
                start = i;
                wn = 0;
            }
            wn = fold_append(w, wn, cp);
            i += len;
            end = i;
            continue;
        }
        if (cls == CP_IGNORE) {
            i += len;
            continue;
        }
        if (in_word) {
            in_word = 0;
            if (wn > 0 && (r = fn(arg, w, wn, start, end)) != 0)
                return r;
        }
        if (cls == CP_ALONE) {
            wn = fold_append(w, 0, cp);
            if (wn > 0 && (r = fn(arg, w, wn, i, i + len)) != 0)
                return r;
        }
        i += len;
    }
    if (in_word && wn > 0)
        return fn(arg, w, wn, start, end);
    return 0;
}

/* --- stems ------------------------------------------------------------------------------- */

#define CACHE_SLOTS 2048 /* a power of two */
#define CACHE_WORD  24   /* longer words are stemmed each time */

struct cache_slot {
    unsigned char n, n_it, n_en; /* n 0: empty */
    char word[CACHE_WORD];
    char it[CACHE_WORD];
    char en[CACHE_WORD];
};

struct pz_stemmer {
    struct sb_stemmer *it;
    struct sb_stemmer *en;
    char it_buf[PZ_WORD_MAX];
    char en_buf[PZ_WORD_MAX];
    struct cache_slot *cache; /* CACHE_SLOTS, allocated on first use */
};

struct pz_stemmer *pz_stemmer_new(void)
{
    struct pz_stemmer *s = xcalloc(1, sizeof(*s));

    s->it = sb_stemmer_new("italian", "UTF_8");
    s->en = sb_stemmer_new("english", "UTF_8");
    if (!s->it || !s->en) {
        pz_error(PZ_EINVAL, "libstemmer has no Italian or English stemmer");
        pz_stemmer_free(s);
        return NULL;
    }
    return s;
}

void pz_stemmer_free(struct pz_stemmer *s)
{
    if (!s)
        return;
    if (s->it)
        sb_stemmer_delete(s->it);
    if (s->en)
        sb_stemmer_delete(s->en);
    free(s->cache);
    free(s);
}

/* Stems WORD with ST into BUF (PZ_WORD_MAX bytes); returns the length (the word itself when
 * the stemmer fails or would not fit). */
static size_t stem_one(struct sb_stemmer *st, const char *word, size_t n, char *buf)
{
    const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)word, (int)n);
    int len = r ? sb_stemmer_length(st) : -1;

    if (len <= 0 || (size_t)len > PZ_WORD_MAX) {
        memcpy(buf, word, n);
        return n;
    }
    memcpy(buf, r, (size_t)len);
    return (size_t)len;
}

static int stemmable(const char *word, size_t n)
{
    /* Latin script (up to U+024F: lead bytes below 0xCA) and no digits. */
    if (n < 3 || (unsigned char)word[0] >= 0xCA)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (word[i] >= '0' && word[i] <= '9')
            return 0;
    return 1;
}

static void add_term(struct pz_terms *out, const char *t, size_t n)
{
    for (int i = 0; i < out->n; i++)
        if (out->len[i] == n && memcmp(out->term[i], t, n) == 0)
            return;
    out->term[out->n] = t;
    out->len[out->n] = n;
    out->n++;
}

int pz_word_terms(struct pz_stemmer *s, const char *word, size_t n, int what, struct pz_terms *out)
{
    const char *it, *en;
    size_t n_it, n_en;

    out->n = 0;
    if (n == 0)
        return 0;
    if (!stemmable(word, n)) {
        add_term(out, word, n);
        return out->n;
    }
    if (n <= CACHE_WORD) {
        struct cache_slot *slot;
        if (!s->cache)
            s->cache = xcalloc(CACHE_SLOTS, sizeof(*s->cache));
        slot = &s->cache[pz_hash64(word, n) & (CACHE_SLOTS - 1)];
        if (slot->n != n || memcmp(slot->word, word, n) != 0) {
            n_it = stem_one(s->it, word, n, s->it_buf);
            n_en = stem_one(s->en, word, n, s->en_buf);
            if (n_it <= CACHE_WORD && n_en <= CACHE_WORD) {
                slot->n = (unsigned char)n;
                memcpy(slot->word, word, n);
                slot->n_it = (unsigned char)n_it;
                memcpy(slot->it, s->it_buf, n_it);
                slot->n_en = (unsigned char)n_en;
                memcpy(slot->en, s->en_buf, n_en);
            } else {
                slot->n = 0;
                it = s->it_buf;
                en = s->en_buf;
                goto add;
            }
        }
        it = slot->it;
        n_it = slot->n_it;
        en = slot->en;
        n_en = slot->n_en;
    } else {
        n_it = stem_one(s->it, word, n, s->it_buf);
        n_en = stem_one(s->en, word, n, s->en_buf);
        it = s->it_buf;
        en = s->en_buf;
    }
add:
    if (what & PZ_TERMS_WORD)
        add_term(out, word, n);
    if (what & PZ_TERMS_STEMS) {
        add_term(out, it, n_it);
        add_term(out, en, n_en);
    }
    return out->n;
}
