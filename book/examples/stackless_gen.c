/* stackless_gen.c — a generator with no stack of its own: the switch trick
 * (book §3.2). The body is a function that returns at every "yield" and,
 * called again, jumps straight back to the line after it through a switch
 * on the line number it saved. This is how protothreads work, and it is in
 * effect what a C compiler does for C++20 and Rust async functions. */
#include <stdio.h>

/* [book:macros] */
/* Where the body stopped: 0 before it starts, a line number while it is
 * suspended, -1 once it has finished. */
typedef struct {
    int line;
} gen_state;

#define GEN_BEGIN(s) switch ((s)->line) { case 0:
#define GEN_YIELD(s, value)  \
    do {                     \
        (s)->line = __LINE__; \
        return (value);      \
    case __LINE__:;          \
    } while (0)
#define GEN_END(s) } (s)->line = -1; return -1
/* [/book:macros] */

/* [book:fib] */
/* Every variable that must survive a yield lives in the struct: the
 * function's own locals are gone each time it returns. */
typedef struct {
    gen_state st;
    int n, i, a, b;
} fib_gen;

/* Python: def fib(n): a, b = 0, 1; for i in range(n): yield a; a, b = b, a + b */
static int fib_next(fib_gen *g)
{
    GEN_BEGIN(&g->st);
    for (g->a = 0, g->b = 1, g->i = 0; g->i < g->n; g->i++) {
        GEN_YIELD(&g->st, g->a);
        int next = g->a + g->b; /* a plain local is fine between yields */
        g->a = g->b;
        g->b = next;
    }
    GEN_END(&g->st);
}
/* [/book:fib] */

/* A counter that yields start, start+1, ..., start+count-1. */
typedef struct {
    gen_state st;
    int start, count, k;
} count_gen;

static int count_next(count_gen *g)
{
    GEN_BEGIN(&g->st);
    for (g->k = 0; g->k < g->count; g->k++)
        GEN_YIELD(&g->st, g->start + g->k);
    GEN_END(&g->st);
}

int main(void)
{
    /* [book:use] */
    fib_gen fib = {.n = 10};
    printf("fib:");
    for (;;) {
        int v = fib_next(&fib);
        if (fib.st.line == -1) /* finished: v is not a value */
            break;
        printf(" %d", v);
    }
    printf("\n");

    /* Two generators taking turns, as under a scheduler. */
    count_gen a = {.start = 100, .count = 3}, b = {.start = 200, .count = 4};
    printf("turns:");
    int a_live = 1, b_live = 1;
    while (a_live || b_live) {
        if (a_live) {
            int v = count_next(&a);
            if ((a_live = a.st.line != -1))
                printf(" %d", v);
        }
        if (b_live) {
            int v = count_next(&b);
            if ((b_live = b.st.line != -1))
                printf(" %d", v);
        }
    }
    printf("\n");
    printf("a suspended fib generator takes %zu bytes, and no stack\n", sizeof fib);
    /* [/book:use] */
    return 0;
}
