/*
 * Normalization of identities and names, so that the same person met in any
 * file or channel resolves to the same contact. An identity (an e-mail, a
 * phone number, a profile address) is stored twice: as written, for showing,
 * and normalized, as the key that is unique in a workspace. Normalizing is
 * pure: no database, no locale, the same input always gives the same key.
 *
 * Phones become E.164 ("+393331234567"). A number written without its country
 * code is read in a default region (piazza's normal case is "IT": Italian
 * landlines keep their leading 0 after +39). Profile addresses become one
 * canonical https URL without "www.", tracking parameters, fragment or
 * trailing slash; handles are lower-cased because the networks treat them
 * case-insensitively.
 *
 * Folding (normalize_fold) is the accent-insensitive, lower-case form used by
 * search: "José Ñúñez" and "jose nunez" fold to the same text.
 *
 * Every function writes into a caller's buffer of OUTSZ bytes, always
 * terminates it, and returns the length written or a negative PZ_E* code.
 * Validation failures fill a struct pz_err with code
 * "contact.identity_invalid", field "value" and an English message that quotes
 * the input.
 */
#ifndef PZ_CONTACTS_NORMALIZE_H
#define PZ_CONTACTS_NORMALIZE_H

#include <stddef.h>

#include "core/error.h"

/* Room for any normalized identity, with its terminator. */
#define NORMALIZE_MAX 512

/* The default region when a workspace has not chosen one. */
#define NORMALIZE_DEFAULT_REGION "IT"

/*
 * Returns non-zero when KIND is an identity kind piazza stores: "email",
 * "phone", "whatsapp", "telegram", "linkedin", "facebook", "instagram", "x",
 * "website".
 */
int normalize_kind_valid(const char *kind);

/* Returns non-zero when identities of KIND are phone numbers once normalized
 * (phone and whatsapp always; telegram when its value starts with '+'). */
int normalize_is_phone(const char *kind, const char *normalized);

/*
 * Normalizes IN as a value of identity KIND into OUT, dispatching to the
 * functions below (REGION is used by phone-like kinds; NULL means "IT").
 * Returns the length, or PZ_EINVAL with ERR filled (an unknown kind too,
 * with field "kind").
 */
int normalize_identity(const char *kind, const char *in, const char *region, char *out,
                       size_t outsz, struct pz_err *err);

/*
 * Normalizes a phone number to E.164. Accepts spaces, dots, dashes, slashes,
 * parentheses and a "tel:" prefix; "+CC" or "00CC" for an explicit country;
 * otherwise the number is national in REGION ("IT", "SM", "VA", "CH", "FR",
 * "DE", "AT", "ES", "GB", "US"; NULL means "IT"). In Italy a 11- or
 * 12-digit number starting with 39 is read as +39 written without the plus.
 * A "(0)" after a foreign country code is the national trunk prefix and is
 * dropped. Refuses letters, stray characters, numbers too short or too long
 * and Italian numbers that cannot exist (PZ_EINVAL with ERR).
 */
int normalize_phone(const char *in, const char *region, char *out, size_t outsz,
                    struct pz_err *err);

/* Trims, drops a "mailto:" prefix and lower-cases an e-mail address (pz_email_normalize). */
int normalize_email(const char *in, char *out, size_t outsz, struct pz_err *err);

/*
 * Canonical profile or website address for KIND ("linkedin", "facebook",
 * "instagram", "x", "website"). A missing scheme means https; profiles are
 * always https on the bare host ("www.", "m.", country subdomains and
 * twitter.com become the network's one host) and keep only the profile path
 * with a lower-cased handle: https://linkedin.com/in/name,
 * https://x.com/name, https://instagram.com/name, https://facebook.com/name
 * (profile.php keeps its id parameter). A bare "@handle" is accepted for x
 * and instagram, a bare handle for linkedin. Websites keep their scheme
 * (http or https) and path, lose the default port, fragment, trailing slash
 * and tracking parameters (utm_*, fbclid, gclid, trk...), and keep other
 * query parameters in order.
 */
int normalize_url(const char *kind, const char *in, char *out, size_t outsz, struct pz_err *err);

/*
 * A Telegram identity: a phone number (normalized as a phone, in REGION) or
 * a username, written "@name", "name" or "t.me/name", normalized to "@name"
 * lower-cased (5 to 32 letters, digits or underscores).
 */
int normalize_telegram(const char *in, const char *region, char *out, size_t outsz,
                       struct pz_err *err);

/*
 * Folds text for accent- and case-insensitive search: ASCII lower-cased,
 * Latin letters without their accents ("à" -> "a", "ß" -> "ss", "Ł" -> "l",
 * "ș" -> "s"), combining accents dropped, Greek and Cyrillic capitals
 * lower-cased, typographic apostrophes and dashes made ASCII, runs of white
 * space made one space, no leading or trailing space. Other characters are
 * kept; invalid UTF-8 bytes are dropped. Stops at a character boundary when
 * OUT is full. Returns the length.
 */
int normalize_fold(const char *in, char *out, size_t outsz);

/*
 * A key for comparing names: folded, punctuation dropped (so "Acme S.r.l."
 * and "ACME srl" meet), single spaces; with SORT_TOKENS the words are sorted,
 * so "Rossi Mario" and "Mario Rossi" give the same key. Returns the length
 * (0 when nothing usable remained).
 */
int normalize_name_key(const char *in, int sort_tokens, char *out, size_t outsz);

/* Levenshtein distance between A and B in bytes, stopping early past LIMIT
 * (returns LIMIT + 1 then). */
int normalize_distance(const char *a, const char *b, int limit);

#endif
