/* util.c - messages, checked size arithmetic and the allocation wrappers. */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

void dqp_vfmt(char *buf, size_t len, const char *fmt, va_list ap) {
    if (!buf || len == 0)
        return;
    int k = vsnprintf(buf, len, fmt, ap);
    if (k < 0)
        buf[0] = '\0';
}

void dqp_fmt(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    dqp_vfmt(buf, len, fmt, ap);
    va_end(ap);
}

dqp_status dqp_fail(dqp_message *msg, dqp_status code, const char *fmt, ...) {
    if (msg) {
        va_list ap;
        va_start(ap, fmt);
        dqp_vfmt(msg->text, sizeof msg->text, fmt, ap);
        va_end(ap);
    }
    return code;
}

int dqp_mul_size(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0)
        return 0;
    if (a != 0 && b > INT64_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

int dqp_add_size(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0 || a > INT64_MAX - b)
        return 0;
    *out = a + b;
    return 1;
}

/* Bytes for count elements of size, or -1 when it overflows size_t/int64. */
static int64_t bytes_for(int64_t count, size_t size) {
    int64_t bytes;
    if (size > (size_t)INT64_MAX || !dqp_mul_size(count, (int64_t)size, &bytes))
        return -1;
    if ((uint64_t)bytes > (uint64_t)SIZE_MAX)
        return -1;
    return bytes;
}

/* The allocator of the handle whose call is running on this thread, or NULL
 * for libc. Set only for the duration of a handle's public call (see
 * dqp_alloc_scope_enter) and restored on exit: never shared between threads,
 * never kept between calls. */
static _Thread_local const dqp_allocator *scope_alloc;

const dqp_allocator *dqp_alloc_scope_enter(const dqp_allocator *a) {
    const dqp_allocator *prev = scope_alloc;
    scope_alloc = a;
    return prev;
}

void dqp_alloc_scope_leave(const dqp_allocator *prev) { scope_alloc = prev; }

static void *raw_alloc(size_t bytes) {
    const dqp_allocator *a = scope_alloc;
    return (a && a->alloc) ? a->alloc(a->user, bytes) : malloc(bytes);
}

void *dqp_alloc(int64_t count, size_t size) {
    int64_t bytes = bytes_for(count, size);
    if (bytes < 0)
        return NULL;
    /* malloc(0) may return NULL; ask for one byte so NULL always means failure. */
    return raw_alloc(bytes > 0 ? (size_t)bytes : 1);
}

void *dqp_calloc(int64_t count, size_t size) {
    int64_t bytes = bytes_for(count, size);
    if (bytes < 0)
        return NULL;
    size_t b = bytes > 0 ? (size_t)bytes : 1;
    void *p = raw_alloc(b);
    if (p)
        memset(p, 0, b);
    return p;
}

void dqp_free(void *ptr) {
    const dqp_allocator *a = scope_alloc;
    if (!ptr)
        return;
    if (a && a->free)
        a->free(a->user, ptr);
    else
        free(ptr);
}
