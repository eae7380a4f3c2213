/* kind: 2
 * tries: a FIFO where a header should be (included by loop.c), and a FIFO as a second lab file
 * base: starter
 * setup: fifo
 * expect: No such file
 * expect: labs/01-callbacks/loop.h
 */
#include "loop.h"

static void attack_hook(void)
{
}
