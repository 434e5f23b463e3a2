/* SPDX-License-Identifier: BSD-3-Clause */
/* Records the line and column of every value of a JSON text, indexed by its path. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_json_loc.h"

/* Deeper nesting is skipped, not indexed: the config schema is four levels deep. */
#define LOC_MAX_DEPTH 32

struct loc_entry {
	size_t path;                 /* offset of the NUL-terminated path in the pool */
	const char *str;             /* the path itself, set once the pool stops growing */
	struct vtep_cfg_loc value;
	struct vtep_cfg_loc key;
};

struct vtep_json_loc_index {
	char *pool;                  /* every path, NUL-terminated, back to back */
	size_t pool_len;
	size_t pool_cap;
	struct loc_entry *ent;       /* sorted by path once built */
	size_t n_ent;
	size_t cap_ent;
};

/* The scanner: a cursor over the text plus the path of the value being scanned. */
struct loc_scan {
	const char *s;
	size_t len;
	size_t pos;
	uint32_t line;
	uint32_t col;
	char *path;
	size_t path_len;
	size_t path_cap;
	struct vtep_json_loc_index *idx;
	int err;                     /* -ENOMEM once an allocation failed */
};

/* Current position as a location. */
static struct vtep_cfg_loc
scan_here(const struct loc_scan *sc)
{
	struct vtep_cfg_loc l = { .line = sc->line, .col = sc->col };

	return l;
}

/* Step over one byte, keeping line and column (UTF-8 continuation bytes add no column). */
static void
scan_advance(struct loc_scan *sc)
{
	unsigned char c;

	if (sc->pos >= sc->len)
		return;
	c = (unsigned char)sc->s[sc->pos++];
	if (c == '\n') {
		sc->line++;
		sc->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		sc->col++;
	}
}

/* Byte at the cursor, or -1 at the end. */
static int
scan_peek(const struct loc_scan *sc)
{
	return sc->pos < sc->len ? (unsigned char)sc->s[sc->pos] : -1;
}

static void
scan_ws(struct loc_scan *sc)
{
	int c;

	while ((c = scan_peek(sc)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		scan_advance(sc);
}

/* Grow a buffer to hold at least @p need elements of @p size bytes. */
static int
grow(void **buf, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n * size);
	if (p == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Append bytes to the current path. */
static int
path_push(struct loc_scan *sc, const char *p, size_t n)
{
	if (grow((void **)&sc->path, &sc->path_cap, sc->path_len + n + 1, 1) < 0)
		return -ENOMEM;
	memcpy(sc->path + sc->path_len, p, n);
	sc->path_len += n;
	sc->path[sc->path_len] = '\0';
	return 0;
}

/* Record the current path at @p value (and @p key). */
static void
record(struct loc_scan *sc, struct vtep_cfg_loc value, struct vtep_cfg_loc key)
{
	struct vtep_json_loc_index *idx = sc->idx;
	struct loc_entry *e;

	if (sc->err < 0)
		return;
	if (grow((void **)&idx->ent, &idx->cap_ent, idx->n_ent + 1, sizeof(*idx->ent)) < 0 ||
	    grow((void **)&idx->pool, &idx->pool_cap, idx->pool_len + sc->path_len + 1, 1) < 0) {
		sc->err = -ENOMEM;
		return;
	}
	e = &idx->ent[idx->n_ent++];
	e->path = idx->pool_len;
	e->value = value;
	e->key = key;
	memcpy(idx->pool + idx->pool_len, sc->path, sc->path_len + 1);
	idx->pool_len += sc->path_len + 1;
}

/* Value of one hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read four hex digits after "\u"; -1 if malformed. */
static long
scan_u4(struct loc_scan *sc)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		h = hexval(scan_peek(sc));
		if (h < 0)
			return -1;
		v = v * 16 + h;
		scan_advance(sc);
	}
	return v;
}

/* Append code point @p cp to the path as UTF-8. */
static int
path_push_cp(struct loc_scan *sc, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return path_push(sc, b, n);
}

/*
 * Scan a string at the cursor (on its opening quote). With @p to_path, append its decoded
 * content to the path, so that keys match the ones jansson decoded. Returns 0 or -1.
 */
static int
scan_string(struct loc_scan *sc, int to_path)
{
	long cp, lo;
	int c;

	scan_advance(sc); /* opening quote */
	for (;;) {
		c = scan_peek(sc);
		if (c < 0)
			return -1;
		scan_advance(sc);
		if (c == '"')
			return 0;
		if (c != '\\') {
			if (to_path) {
				char ch = (char)c;

				if (path_push(sc, &ch, 1) < 0)
					sc->err = -ENOMEM;
			}
			continue;
		}
		c = scan_peek(sc);
		if (c < 0)
			return -1;
		scan_advance(sc);
		switch (c) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = scan_u4(sc);
			if (cp < 0)
				return -1;
			if (cp >= 0xd800 && cp < 0xdc00 && scan_peek(sc) == '\\') {
				scan_advance(sc);
				if (scan_peek(sc) != 'u')
					return -1;
				scan_advance(sc);
				lo = scan_u4(sc);
				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			break;
		default: cp = c; break; /* '"', '\\', '/' */
		}
		if (to_path && path_push_cp(sc, (unsigned long)cp) < 0)
			sc->err = -ENOMEM;
	}
}

static int scan_value(struct loc_scan *sc, struct vtep_cfg_loc key, int depth);

/* Scan an object at the cursor (on '{'). */
static int
scan_object(struct loc_scan *sc, int depth)
{
	size_t base = sc->path_len;
	struct vtep_cfg_loc key;

	scan_advance(sc);
	scan_ws(sc);
	if (scan_peek(sc) == '}') {
		scan_advance(sc);
		return 0;
	}
	for (;;) {
		scan_ws(sc);
		if (scan_peek(sc) != '"')
			return -1;
		key = scan_here(sc);
		if (base > 0 && path_push(sc, ".", 1) < 0)
			sc->err = -ENOMEM;
		if (scan_string(sc, 1) < 0)
			return -1;
		scan_ws(sc);
		if (scan_peek(sc) != ':')
			return -1;
		scan_advance(sc);
		if (scan_value(sc, key, depth + 1) < 0)
			return -1;
		sc->path_len = base;
		if (sc->path != NULL)
			sc->path[base] = '\0';
		scan_ws(sc);
		if (scan_peek(sc) == ',') {
			scan_advance(sc);
			continue;
		}
		if (scan_peek(sc) != '}')
			return -1;
		scan_advance(sc);
		return 0;
	}
}

/* Scan an array at the cursor (on '['). */
static int
scan_array(struct loc_scan *sc, int depth)
{
	static const struct vtep_cfg_loc nokey;
	size_t base = sc->path_len;
	unsigned long i;
	char buf[32];
	int n;

	scan_advance(sc);
	scan_ws(sc);
	if (scan_peek(sc) == ']') {
		scan_advance(sc);
		return 0;
	}
	for (i = 0;; i++) {
		n = snprintf(buf, sizeof(buf), "[%lu]", i);
		if (path_push(sc, buf, (size_t)n) < 0)
			sc->err = -ENOMEM;
		if (scan_value(sc, nokey, depth + 1) < 0)
			return -1;
		sc->path_len = base;
		if (sc->path != NULL)
			sc->path[base] = '\0';
		scan_ws(sc);
		if (scan_peek(sc) == ',') {
			scan_advance(sc);
			continue;
		}
		if (scan_peek(sc) != ']')
			return -1;
		scan_advance(sc);
		return 0;
	}
}

/* Skip a value nested too deep to index, by counting brackets outside strings. */
static int
scan_skip(struct loc_scan *sc)
{
	int level = 0, c;

	for (;;) {
		c = scan_peek(sc);
		if (c < 0)
			return -1;
		if (c == '"') {
			if (scan_string(sc, 0) < 0)
				return -1;
		} else if (c == '{' || c == '[') {
			level++;
			scan_advance(sc);
		} else if (c == '}' || c == ']') {
			if (level == 0)
				return 0;
			level--;
			scan_advance(sc);
		} else if (c == ',' && level == 0) {
			return 0;
		} else {
			scan_advance(sc);
		}
	}
}

/* Scan one value at the cursor (after optional whitespace) and index it. */
static int
scan_value(struct loc_scan *sc, struct vtep_cfg_loc key, int depth)
{
	int c;

	scan_ws(sc);
	if (depth > LOC_MAX_DEPTH)
		return scan_skip(sc);
	record(sc, scan_here(sc), key);
	c = scan_peek(sc);
	if (c == '{')
		return scan_object(sc, depth);
	if (c == '[')
		return scan_array(sc, depth);
	if (c == '"')
		return scan_string(sc, 0);
	if (c < 0)
		return -1;
	/* number, true, false, null */
	while ((c = scan_peek(sc)) >= 0 && c != ',' && c != '}' && c != ']' && c != ' ' &&
	       c != '\t' && c != '\n' && c != '\r')
		scan_advance(sc);
	return 0;
}

/* Sort entries by path; equal paths (from duplicate keys) keep text order. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct loc_entry *x = a, *y = b;
	int r = strcmp(x->str, y->str);

	if (r != 0)
		return r;
	return (x->path > y->path) - (x->path < y->path);
}

int
vtep_json_loc_build(const char *text, size_t len, struct vtep_json_loc_index **out)
{
	static const struct vtep_cfg_loc nokey;
	struct vtep_json_loc_index *idx;
	struct loc_scan sc;

	*out = NULL;
	idx = calloc(1, sizeof(*idx));
	if (idx == NULL)
		return -ENOMEM;
	memset(&sc, 0, sizeof(sc));
	sc.s = text;
	sc.len = len;
	sc.line = 1;
	sc.col = 1;
	sc.idx = idx;
	if (path_push(&sc, "", 0) < 0)
		sc.err = -ENOMEM;
	(void)scan_value(&sc, nokey, 0); /* malformed text: keep what was indexed */
	free(sc.path);
	if (sc.err < 0) {
		vtep_json_loc_free(idx);
		return sc.err;
	}
	for (size_t i = 0; i < idx->n_ent; i++)
		idx->ent[i].str = idx->pool + idx->ent[i].path;
	if (idx->n_ent > 1)
		qsort(idx->ent, idx->n_ent, sizeof(*idx->ent), entry_cmp);
	*out = idx;
	return 0;
}

void
vtep_json_loc_free(struct vtep_json_loc_index *idx)
{
	if (idx == NULL)
		return;
	free(idx->pool);
	free(idx->ent);
	free(idx);
}

bool
vtep_json_loc_find(const struct vtep_json_loc_index *idx, const char *path,
		   struct vtep_cfg_loc *value, struct vtep_cfg_loc *key)
{
	size_t lo = 0, hi, mid;
	int r;

	if (idx == NULL || path == NULL)
		return false;
	hi = idx->n_ent;
	/* lower bound, so the first of duplicate keys wins, as in the text */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = strcmp(idx->ent[mid].str, path);
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= idx->n_ent || strcmp(idx->ent[lo].str, path) != 0)
		return false;
	if (value != NULL)
		*value = idx->ent[lo].value;
	if (key != NULL)
		*key = idx->ent[lo].key;
	return true;
}
