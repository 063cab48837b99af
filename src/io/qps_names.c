/* qps_names.c - name table of the QPS reader: arena of names plus an open-addressing hash. */
#include "io/qps_internal.h"

#include <string.h>

int dqp_qps_grow(void **arr, int64_t *cap, int64_t need, size_t size) {
    if (need <= *cap)
        return 1;
    int64_t new_cap = *cap > 0 ? *cap : 16;
    while (new_cap < need) {
        if (new_cap > INT64_MAX / 2)
            return 0;
        new_cap *= 2;
    }
    void *fresh = dqp_alloc(new_cap, size);
    if (!fresh)
        return 0;
    if (*arr && *cap > 0)
        memcpy(fresh, *arr, (size_t)*cap * size);
    dqp_free(*arr);
    *arr = fresh;
    *cap = new_cap;
    return 1;
}

/* FNV-1a, 64 bit: simple, and good enough for names like "C------1". */
static uint64_t hash_str(dqp_qps_str s) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < s.len; k++) {
        h ^= (unsigned char)s.p[k];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Names are stored back to back, so a name's length follows from the next offset. */
static int name_equals(const dqp_qps_names *t, int64_t k, dqp_qps_str s) {
    int64_t end = k + 1 < t->count ? t->off[k + 1] : t->arena_len;
    int64_t len = end - t->off[k] - 1;
    return len == (int64_t)s.len && (s.len == 0 || memcmp(t->arena + t->off[k], s.p, s.len) == 0);
}

/* Slot of the name with hash h, or of the empty slot where it would go. */
static int64_t probe(const dqp_qps_names *t, dqp_qps_str s, uint64_t h) {
    int64_t mask = t->nslot - 1;
    int64_t at = (int64_t)(h & (uint64_t)mask);
    while (t->slot[at] >= 0) {
        int64_t k = t->slot[at];
        if (t->hash[k] == h && name_equals(t, k, s))
            return at;
        at = (at + 1) & mask; /* linear probing; the load stays below 1/2 */
    }
    return at;
}

int64_t dqp_qps_names_find(const dqp_qps_names *t, dqp_qps_str s) {
    if (t->nslot == 0)
        return -1;
    return t->slot[probe(t, s, hash_str(s))];
}

/* Double the slot array and reinsert every name. */
static int rehash(dqp_qps_names *t) {
    int64_t nslot = t->nslot > 0 ? 2 * t->nslot : 64;
    int64_t *slot = dqp_alloc(nslot, sizeof *slot);
    if (!slot)
        return 0;
    for (int64_t s = 0; s < nslot; s++)
        slot[s] = -1;
    for (int64_t k = 0; k < t->count; k++) {
        int64_t at = (int64_t)(t->hash[k] & (uint64_t)(nslot - 1));
        while (slot[at] >= 0)
            at = (at + 1) & (nslot - 1);
        slot[at] = k;
    }
    dqp_free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    return 1;
}

dqp_status dqp_qps_names_add(dqp_qps_names *t, dqp_qps_str s) {
    int64_t need;
    if (!dqp_add_size(t->arena_len, (int64_t)s.len + 1, &need) ||
        !dqp_qps_grow((void **)&t->arena, &t->arena_cap, need, 1))
        return DQP_ERR_NOMEM;
    int64_t cap = t->cap; /* off and hash grow together */
    if (!dqp_qps_grow((void **)&t->off, &cap, t->count + 1, sizeof *t->off))
        return DQP_ERR_NOMEM;
    if (!dqp_qps_grow((void **)&t->hash, &t->cap, t->count + 1, sizeof *t->hash))
        return DQP_ERR_NOMEM;
    if (2 * (t->count + 1) > t->nslot && !rehash(t))
        return DQP_ERR_NOMEM;
    uint64_t h = hash_str(s);
    int64_t at = probe(t, s, h); /* before the name is stored: lengths use arena_len */
    if (s.len > 0)
        memcpy(t->arena + t->arena_len, s.p, s.len);
    t->arena[t->arena_len + (int64_t)s.len] = '\0';
    t->off[t->count] = t->arena_len;
    t->hash[t->count] = h;
    t->arena_len = need;
    t->slot[at] = t->count;
    t->count++;
    return DQP_OK;
}

const char *dqp_qps_names_get(const dqp_qps_names *t, int64_t k) {
    if (k < 0 || k >= t->count)
        return NULL;
    return t->arena + t->off[k];
}

void dqp_qps_names_free(dqp_qps_names *t) {
    dqp_free(t->arena);
    dqp_free(t->off);
    dqp_free(t->hash);
    dqp_free(t->slot);
    memset(t, 0, sizeof *t);
}
