/* symcache.c - symbolic analyses shared between the KKT objects of one batch
 * (dqp_batch_solve): one donor backend state per distinct pattern of K. */
#define _POSIX_C_SOURCE 200809L
#include "kkt.h"

#include <pthread.h>
#include <string.h>

/* Distinct patterns kept per cache. Past this, new patterns are analyzed as
 * without a cache and not kept: a batch of all-different problems then holds
 * at most this many extra symbolic states. */
#define SYMCACHE_MAX_ENTRIES 32

typedef struct symcache_entry {
    const dqp_linsys_backend *be;
    int64_t n, m, nnz;
    uint64_t hash;
    int64_t *Kp, *Ki; /* copies of the pattern, N + 1 and nnz entries */
    void *donor;      /* analyzed backend state; never factored, only cloned */
} symcache_entry;

struct dqp_symcache {
    pthread_mutex_t lock;       /* guards entries, count and the counters */
    const dqp_allocator *alloc; /* scope at creation: owns all memory of the cache */
    symcache_entry entries[SYMCACHE_MAX_ENTRIES];
    int count;
    int64_t hits, misses;
};

/* The cache of the batch iteration running on this thread (NULL outside a
 * batch); same discipline as the allocator scope in core/util.c. */
static _Thread_local dqp_symcache *scope_cache;

dqp_symcache *dqp_symcache_scope_enter(dqp_symcache *c) {
    dqp_symcache *prev = scope_cache;
    scope_cache = c;
    return prev;
}

void dqp_symcache_scope_leave(dqp_symcache *prev) { scope_cache = prev; }

dqp_symcache *dqp_symcache_current(void) { return scope_cache; }

dqp_symcache *dqp_symcache_create(void) {
    dqp_symcache *c = dqp_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        dqp_free(c);
        return NULL;
    }
    c->alloc = dqp_alloc_scope_enter(NULL);
    dqp_alloc_scope_leave(c->alloc);
    return c;
}

static void entry_free(symcache_entry *e) {
    if (e->donor)
        e->be->destroy(e->donor);
    dqp_free(e->Kp);
    dqp_free(e->Ki);
    memset(e, 0, sizeof *e);
}

void dqp_symcache_destroy(dqp_symcache *c) {
    if (!c)
        return;
    const dqp_allocator *prev = dqp_alloc_scope_enter(c->alloc);
    for (int k = 0; k < c->count; k++)
        entry_free(&c->entries[k]);
    pthread_mutex_destroy(&c->lock);
    dqp_free(c);
    dqp_alloc_scope_leave(prev);
}

void dqp_symcache_stats(dqp_symcache *c, int64_t *hits, int64_t *misses) {
    int64_t h = 0, m = 0;
    if (c) {
        pthread_mutex_lock(&c->lock);
        h = c->hits;
        m = c->misses;
        pthread_mutex_unlock(&c->lock);
    }
    if (hits)
        *hits = h;
    if (misses)
        *misses = m;
}

/* FNV-1a over the dimensions and the pattern (finds candidates only). */
static uint64_t fnv(uint64_t h, int64_t v) {
    uint64_t u = (uint64_t)v;
    for (int b = 0; b < 8; b++) {
        h ^= (u >> (8 * b)) & 0xffu;
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t pattern_hash(int64_t n, int64_t m, const dqp_csc *S) {
    int64_t N = S->n, nnz = S->p[N];
    uint64_t h = fnv(fnv(0xcbf29ce484222325ull, n), m);
    for (int64_t j = 0; j <= N; j++)
        h = fnv(h, S->p[j]);
    for (int64_t p = 0; p < nnz; p++)
        h = fnv(h, S->i[p]);
    return h;
}

/* Exact comparison: a hash match alone never shares an analysis. */
static symcache_entry *find(dqp_symcache *c, const dqp_linsys_backend *be, int64_t n, int64_t m,
                            uint64_t hash, const dqp_csc *S) {
    int64_t N = S->n, nnz = S->p[N];
    for (int k = 0; k < c->count; k++) {
        symcache_entry *e = &c->entries[k];
        if (e->be == be && e->hash == hash && e->n == n && e->m == m && e->nnz == nnz &&
            memcmp(e->Kp, S->p, (size_t)(N + 1) * sizeof(int64_t)) == 0 &&
            memcmp(e->Ki, S->i, (size_t)nnz * sizeof(int64_t)) == 0)
            return e;
    }
    return NULL;
}

/* Keep a clone of *self as the donor of its pattern (lock held). Allocated
 * with the cache's allocator; failure only means the pattern is not kept. */
static void insert(dqp_symcache *c, const dqp_linsys_backend *be, int64_t n, int64_t m,
                   uint64_t hash, const dqp_csc *S, const void *self) {
    if (c->count >= SYMCACHE_MAX_ENTRIES)
        return;
    int64_t N = S->n, nnz = S->p[N];
    const dqp_allocator *prev = dqp_alloc_scope_enter(c->alloc);
    symcache_entry e = {be, n, m, nnz, hash, NULL, NULL, NULL};
    e.Kp = dqp_alloc(N + 1, sizeof(int64_t));
    e.Ki = dqp_alloc(nnz, sizeof(int64_t));
    dqp_message msg = {{0}};
    if (e.Kp && e.Ki && be->clone_symbolic(&e.donor, self, &msg) == DQP_OK) {
        memcpy(e.Kp, S->p, (size_t)(N + 1) * sizeof(int64_t));
        memcpy(e.Ki, S->i, (size_t)nnz * sizeof(int64_t));
        c->entries[c->count++] = e;
    } else {
        e.donor = NULL;
        entry_free(&e);
    }
    dqp_alloc_scope_leave(prev);
}

dqp_status dqp_symcache_analyze(dqp_symcache *c, const dqp_linsys_backend *be, int64_t n, int64_t m,
                                const int64_t *order, const dqp_csc *S, void **self, int *shared,
                                dqp_message *msg) {
    *self = NULL;
    *shared = 0;
    if (!c || !be->clone_symbolic)
        return be->analyze(self, S, order, msg);
    uint64_t hash = pattern_hash(n, m, S);
    pthread_mutex_lock(&c->lock);
    symcache_entry *e = find(c, be, n, m, hash, S);
    if (e) {
        /* The clone is the caller's (current allocator scope). Donors are
         * only read, and entries only appended, so the lock is what keeps
         * the entry array stable while cloning. */
        dqp_status st = be->clone_symbolic(self, e->donor, msg);
        if (st == DQP_OK) {
            c->hits++;
            *shared = 1;
        }
        pthread_mutex_unlock(&c->lock);
        if (st != DQP_OK)
            *self = NULL;
        return st;
    }
    c->misses++;
    pthread_mutex_unlock(&c->lock);
    /* Analyze without the lock: distinct patterns are analyzed in parallel.
     * Two threads missing the same pattern at once both analyze; the first
     * to insert keeps its donor. */
    dqp_status st = be->analyze(self, S, order, msg);
    if (st != DQP_OK) {
        *self = NULL;
        return st;
    }
    pthread_mutex_lock(&c->lock);
    if (!find(c, be, n, m, hash, S))
        insert(c, be, n, m, hash, S, *self);
    pthread_mutex_unlock(&c->lock);
    return DQP_OK;
}
