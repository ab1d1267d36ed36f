/*
 * Words for full-text search, the same for every database backend: how a
 * text is cut into words, how a word is folded (case, accents and
 * compatibility forms ignored, so "Perché" and "perche" are one word) and
 * which index terms a folded word gives (its Italian and English Snowball
 * stems, so "scarpa" and "scarpe", "shoe" and "shoes" meet). The SQLite FTS5
 * tokenizer (src/store/fts.c) and the search snippets (src/inbox/search.c)
 * are built on it; a PostgreSQL backend would feed the same terms to a
 * tsvector.
 *
 * A word is a run of letters and digits (Unicode categories L and N; marks
 * inside it are dropped, format characters such as a soft hyphen ignored);
 * anything else separates words, apostrophes too ("l'ordine" is "l" and
 * "ordine"). Each Han, Hiragana or Katakana character is a word of its own,
 * since those scripts put no spaces between words. A folded word keeps at
 * most PZ_WORD_MAX bytes (cut at a character boundary).
 */
#ifndef PZ_WORDS_H
#define PZ_WORDS_H

#include <stddef.h>

#define PZ_WORD_MAX 64

/*
 * Called for each word of a text: WORD (N bytes, folded, not terminated, valid
 * during the call) and the word's span [START, END) in bytes of the original
 * text. A non-zero return stops the walk and is returned by pz_words.
 */
typedef int (*pz_word_fn)(void *arg, const char *word, size_t n, size_t start, size_t end);

/* Calls FN for each word of TEXT (N bytes; ill-formed UTF-8 separates words). Returns 0 or
 * FN's non-zero return. */
int pz_words(const char *text, size_t n, pz_word_fn fn, void *arg);

/* A stemmer with its cache of recent words; one per thread (not thread-safe). */
struct pz_stemmer;

/* Returns a new stemmer (NULL when libstemmer lacks Italian or English, logged), to
 * free with pz_stemmer_free (accepts NULL). */
struct pz_stemmer *pz_stemmer_new(void);
void pz_stemmer_free(struct pz_stemmer *s);

/* The index terms of one folded word, distinct; pointers valid until the stemmer's next call. */
struct pz_terms {
    const char *term[3];
    size_t len[3];
    int n;
};

enum {
    PZ_TERMS_STEMS = 1, /* the Italian and English stems */
    PZ_TERMS_WORD = 2,  /* the folded word itself */
};

/*
 * Puts into OUT the terms of the folded WORD (N bytes) that WHAT asks for
 * (PZ_TERMS_*, or'ed). A word that is not stemmed (shorter than 3 bytes,
 * holding a digit, or not in a Latin script) gives itself as its one stem.
 * Returns OUT->n (at least 1 when N > 0).
 */
int pz_word_terms(struct pz_stemmer *s, const char *word, size_t n, int what, struct pz_terms *out);

#endif
