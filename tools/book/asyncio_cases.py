#!/usr/bin/env python3
"""The book's page of asyncio cases (book/docs/asyncio-cases.md), made by running them.

Tests and chapters cite "asyncio case NNN": a small numbered asyncio scenario whose output,
as CPython 3.11 prints it, is the order of events Kettle must reproduce. Each case below is
the book's own short program for its rule; this script runs every one with python3 and writes
the page with the program and what it printed, so the page never shows an output CPython did
not print.

usage: asyncio_cases.py            write book/docs/asyncio-cases.md
       asyncio_cases.py --check    exit 1 if the page differs from a fresh run (CPython 3.11 only)

A lab that cites a new case adds it to CASES (number, title, rule, program) and reruns this.
"""
import concurrent.futures
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "book", "docs", "asyncio-cases.md")

# (part title, [(number, title, rule, program)])
PARTS = [
    ("The event loop (Labs 01 and 02)", [
        ("001", "call_soon runs callbacks in FIFO order",
         "Callbacks scheduled with `call_soon` run once each, in the order they were scheduled, "
         "with the arguments given (book §1.2).",
         """
import asyncio

loop = asyncio.new_event_loop()
for word in ("first", "second", "third"):
    loop.call_soon(print, "ran", word)
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
"""),
        ("003", "stop() lets the current iteration finish",
         "`stop()` only sets a flag: every callback that was ready when the iteration began still "
         "runs; what they schedule waits for the next `run_forever()` (book §1.7).",
         """
import asyncio

loop = asyncio.new_event_loop()

def halt():
    print("halt: asks for a stop")
    loop.stop()
    loop.call_soon(print, "scheduled by halt: next run")

loop.call_soon(halt)
loop.call_soon(print, "ready before the stop: still runs")
loop.run_forever()
print("-- run_forever returned")
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
"""),
        ("005", "a cancelled handle never runs",
         "`Handle.cancel()` keeps the callback from running and may be called twice; cancelling a "
         "handle whose callback already ran changes nothing but `cancelled()` (book §1.6).",
         """
import asyncio

loop = asyncio.new_event_loop()
kept = loop.call_soon(print, "kept runs")
dropped = loop.call_soon(print, "dropped runs")
dropped.cancel()
dropped.cancel()                       # harmless
print("dropped.cancelled():", dropped.cancelled())
loop.call_soon(loop.stop)
loop.run_forever()
kept.cancel()                          # after it ran
print("kept.cancelled() after it ran:", kept.cancelled())
loop.close()
"""),
        ("007", "timers fire in deadline order",
         "Timers fire by deadline, not in the order they were scheduled (book §1.4).",
         """
import asyncio

loop = asyncio.new_event_loop()
for delay in (0.03, 0.01, 0.02):
    loop.call_later(delay, print, "timer", delay)
loop.call_later(0.04, loop.stop)
loop.run_forever()
loop.close()
"""),
        ("009", "call_later(0) runs after the ready callbacks",
         "A zero delay is still a timer: due timers join the END of the ready queue, so a "
         "`call_soon` made after the `call_later(0)` runs first (book §1.4).",
         """
import asyncio

loop = asyncio.new_event_loop()
loop.call_later(0, print, "call_later(0), scheduled first")
loop.call_soon(print, "call_soon, scheduled second")
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
"""),
        ("011", "a running loop cannot be run again",
         "`run_forever()` and `run_until_complete()` on a loop that is already running raise "
         "`RuntimeError` (Kettle: `KT_ERUNNING`, book §1.7 and §5.6).",
         """
import asyncio

loop = asyncio.new_event_loop()

def nested():
    for attempt in (loop.run_forever, lambda: loop.run_until_complete(loop.create_future())):
        try:
            attempt()
        except RuntimeError as e:
            print("RuntimeError:", e)
    loop.stop()

loop.call_soon(nested)
loop.run_forever()
loop.close()
"""),
        ("013", "run_until_complete stops one iteration later",
         "`run_until_complete` stops the loop from a done callback of the future, itself scheduled "
         "with `call_soon`: one more iteration runs after the future completes, and what that "
         "iteration schedules waits (book §5.6).",
         """
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()

def complete():
    print("complete: set_result")
    fut.set_result("done")
    loop.call_soon(after)

def after():
    print("after: runs in the extra iteration")
    loop.call_soon(print, "scheduled by after: next run")

loop.call_soon(complete)
print("run_until_complete returned", loop.run_until_complete(fut))
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
"""),
        ("019", "one iteration: ready callbacks, then I/O, then timers",
         "In one iteration the callbacks already ready run first, then the callbacks of the file "
         "descriptors the poll found ready, then the timers that became due (book §2.4).",
         """
import asyncio
import socket

loop = asyncio.new_event_loop()
a, b = socket.socketpair()
b.send(b"x")                                   # a is readable from the start

def on_readable():
    print("2. reader of a readable fd")
    loop.remove_reader(a)

loop.call_later(0, print, "3. timer that is due")
loop.add_reader(a, on_readable)
loop.call_soon(print, "1. callback already ready")
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
a.close()
b.close()
"""),
        ("021", "a writer runs while its socket is writable",
         "`add_writer` calls back, with its arguments, while the fd can take data: an idle "
         "connected socket can at once. `remove_writer` says whether there was one to remove "
         "(book §2.4).",
         """
import asyncio
import socket

loop = asyncio.new_event_loop()
a, b = socket.socketpair()

def on_writable(tag):
    print("writable:", tag)
    print("remove_writer:", loop.remove_writer(a))
    print("remove_writer again:", loop.remove_writer(a))
    loop.stop()

loop.add_writer(a, on_writable, "idle socket")
loop.run_forever()
loop.close()
a.close()
b.close()
"""),
        ("023", "removing a reader cancels its queued callback",
         "`remove_reader` cancels the reader's handle: if an earlier callback of the same "
         "iteration removes it, the I/O callback already queued is skipped (book §2.4).",
         """
import asyncio
import socket

loop = asyncio.new_event_loop()
a, b = socket.socketpair()
b.send(b"x")

def first():
    print("first: removes the reader")
    loop.remove_reader(a)

loop.add_reader(a, print, "the reader ran")
loop.call_soon(first)
loop.call_soon(loop.stop)
loop.run_forever()
print("-- the reader never ran")
loop.close()
a.close()
b.close()
"""),
    ]),
    ("Futures (Lab 04)", [
        ("025", "a new future is pending",
         "A new future is neither done nor cancelled, and asking for its result or its exception "
         "raises `InvalidStateError` (Kettle: `KT_EINVALSTATE`, book §4.2).",
         """
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()
print("done:", fut.done(), "| cancelled:", fut.cancelled())
for ask in (fut.result, fut.exception):
    try:
        ask()
    except asyncio.InvalidStateError as e:
        print("InvalidStateError:", e)
loop.close()
"""),
        ("027", "done callbacks are scheduled, never called inline",
         "`set_result` schedules each done callback with `call_soon`; none runs inside "
         "`set_result` (book §4.4).",
         """
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()
fut.add_done_callback(lambda f: print("done callback sees", f.result()))
print("before set_result")
fut.set_result(3)
print("after set_result")
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
"""),
        ("029", "done callbacks queue up when the future completes",
         "When the future completes, its callbacks are queued in registration order, at that "
         "moment: they interleave with other `call_soon` traffic by when it was scheduled, and "
         "each gets the future as its argument (book §4.4).",
         """
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()
fut.add_done_callback(lambda f: print("callback A, got the future:", f is fut))
loop.call_soon(print, "soon 1")
fut.add_done_callback(lambda f: print("callback B"))

def complete():
    fut.set_result(None)
    loop.call_soon(print, "soon 2, scheduled after set_result")

loop.call_soon(complete)
loop.call_later(0.01, loop.stop)
loop.run_forever()
loop.close()
"""),
        ("031", "cancel: once, and only while pending",
         "`cancel()` on a pending future returns True, marks it cancelled at once and schedules "
         "its callbacks; on a done or cancelled future it returns False and changes nothing "
         "(book §4.5).",
         """
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()
fut.add_done_callback(lambda f: print("callback: cancelled =", f.cancelled()))
print("cancel a pending future:", fut.cancel(), "| cancelled now:", fut.cancelled())
print("cancel it again:", fut.cancel())
done = loop.create_future()
done.set_result(7)
print("cancel a done future:", done.cancel(), "| result kept:", done.result())
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
"""),
        ("033", "set_exception keeps the error it is given",
         "`set_exception` takes an exception class (and makes the instance) or an instance; "
         "`result()` raises that very object and `exception()` returns it; `StopIteration` is "
         "refused with `TypeError` (Kettle: an error code must be negative and not `KT_ESTOP`, "
         "book §4.3).",
         """
import asyncio

loop = asyncio.new_event_loop()
f = loop.create_future()
f.set_exception(ValueError)                       # a class
print("made from a class:", repr(f.exception()))
g = loop.create_future()
error = KeyError("key")
g.set_exception(error)                            # an instance
try:
    g.result()
except KeyError as caught:
    print("result() raised the same object:", caught is error)
h = loop.create_future()
try:
    h.set_exception(StopIteration())
except TypeError as e:
    print("TypeError:", e)
loop.close()
"""),
        ("035", "a task resumes one iteration after set_result",
         "A task parked on a future resumes through the future's done callback (the task's "
         "wake-up), so in the iteration after `set_result`, in FIFO order with the other "
         "callbacks (book §5.2).",
         """
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def resolve():
        print("iteration 1: set_result")
        fut.set_result("value")
        loop.call_soon(print, "iteration 2: queued right after set_result")

    loop.call_soon(resolve)
    loop.call_soon(print, "iteration 1: queued after resolve")
    print("iteration 2: the task resumed with", await fut)

asyncio.run(main())
"""),
        ("037", "an error nobody retrieved is reported",
         "A future or task that finished with an exception nobody asked for reports "
         "\"... exception was never retrieved\" to the loop's exception handler when it is freed; "
         "one that was looked at, or cancelled, reports nothing (book §4.6, §5.3).",
         """
import asyncio
import gc

loop = asyncio.new_event_loop()
loop.set_exception_handler(lambda loop, context: print("handler:", context["message"]))

lost = loop.create_future()
lost.set_exception(ValueError("lost"))
del lost

seen = loop.create_future()
seen.set_exception(ValueError("seen"))
seen.exception()                                  # retrieved
del seen

async def fails():
    raise ValueError("in a task")

task = loop.create_task(fails())
loop.run_until_complete(asyncio.sleep(0.01))
del task
gc.collect()
print("-- collected")
loop.close()
"""),
    ]),
    ("Tasks (Lab 05)", [
        ("039", "a task starts on the next iteration",
         "`create_task` runs none of the coroutine: its first step is scheduled with `call_soon`, "
         "so tasks start in creation order once their creator yields (book §5.3).",
         """
import asyncio

async def child(name):
    print("child", name, "starts")

async def main():
    a = asyncio.create_task(child("A"))
    b = asyncio.create_task(child("B"))
    print("created both; A done yet?", a.done())
    await asyncio.sleep(0)
    print("after one yield: A done?", a.done(), "| B done?", b.done())

asyncio.run(main())
"""),
        ("041", "sleep(0) yields for exactly one iteration",
         "`await asyncio.sleep(0)` is a bare yield: the task steps again on the next iteration, "
         "which gives round-robin interleaving (book §5.4).",
         """
import asyncio

async def worker(tag):
    for i in range(3):
        print(tag, i)
        await asyncio.sleep(0)

async def main():
    first = asyncio.create_task(worker("A"))
    second = asyncio.create_task(worker("B"))
    await first
    await second

asyncio.run(main())
"""),
        ("043", "a task cancelled before it starts never runs",
         "A task cancelled before its first step never runs its body, not even a `finally`; "
         "`cancel()` returns True, but the task is cancelled only once that step has run "
         "(book §5.5).",
         """
import asyncio

async def body():
    try:
        print("body runs")
        await asyncio.sleep(1)
    finally:
        print("cleanup runs")

async def main():
    t = asyncio.create_task(body())
    print("cancel():", t.cancel(), "| cancelled() right after:", t.cancelled())
    try:
        await t
    except asyncio.CancelledError:
        print("await raised CancelledError | cancelled():", t.cancelled())

asyncio.run(main())
"""),
        ("045", "a coroutine may refuse a cancellation",
         "Cancelling is a request: a coroutine that catches `CancelledError` and returns ends "
         "its task with that result, not cancelled (book §5.5).",
         """
import asyncio

async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("caught the cancellation")
        return "finished anyway"

async def main():
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    t.cancel()
    print("result:", await t, "| cancelled():", t.cancelled())

asyncio.run(main())
"""),
        ("047", "a cancel wins over a wake-up already queued",
         "If the awaited future already has its result but the task has not been woken yet, "
         "`cancel()` still wins: the task gets `CancelledError` instead of the result "
         "(the `_must_cancel` flag, book §5.5).",
         """
import asyncio

async def waiter(fut):
    try:
        print("got", await fut)
    except asyncio.CancelledError:
        print("CancelledError instead of the result")

async def main():
    fut = asyncio.get_running_loop().create_future()
    t = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)              # t is now parked on fut
    fut.set_result("value")             # t's wake-up is queued, not run
    print("cancel():", t.cancel())
    await t

asyncio.run(main())
"""),
        ("049", "cancelling a task cancels what it awaits",
         "Cancelling task A while it awaits task B cancels B instead; A keeps no flag of its own, "
         "so if B swallows the cancellation and returns, A simply gets B's result "
         "(book §5.5).",
         """
import asyncio

async def b():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("B caught it and returns")
        return "B's result"

async def a(task_b):
    result = await task_b
    print("A received:", result)
    return result

async def main():
    tb = asyncio.create_task(b())
    ta = asyncio.create_task(a(tb))
    await asyncio.sleep(0)
    print("A.cancel():", ta.cancel())
    print("A's result:", await ta, "| A cancelled:", ta.cancelled(), "| B cancelled:", tb.cancelled())

asyncio.run(main())
"""),
        ("051", "after catching a cancellation, a task is ordinary again",
         "A coroutine that caught `CancelledError` can go on awaiting, and a later `cancel()` is "
         "delivered at its next await (book §5.5).",
         """
import asyncio

async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("caught the first cancel, carrying on")
    await asyncio.sleep(10)
    print("never printed")

async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.sleep(0)
    print("still running:", not t.done())
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("the second cancel ended it | cancelled():", t.cancelled())

asyncio.run(main())
"""),
        ("053", "the cancel message travels",
         "`cancel(msg)`: the `CancelledError` raised inside the coroutine carries the message, "
         "and so does the one whoever awaits the task sees (book §5.5).",
         """
import asyncio

async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print("inside the coroutine:", e.args)
        raise

async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    t.cancel("time to go")
    try:
        await t
    except asyncio.CancelledError as e:
        print("the awaiter:", e.args)

asyncio.run(main())
"""),
        ("055", "an error leaving the coroutine finishes the task with it",
         "An exception that escapes the coroutine finishes the task with it: `exception()` "
         "returns it, `result()` and `await` raise it again, and the task is not cancelled "
         "(book §5.2).",
         """
import asyncio

async def bad():
    await asyncio.sleep(0)
    raise ValueError("boom")

async def main():
    t = asyncio.create_task(bad())
    try:
        await t
    except ValueError as e:
        print("await raised:", repr(e))
    print("exception():", repr(t.exception()), "| cancelled():", t.cancelled())
    try:
        t.result()
    except ValueError as e:
        print("result() raised:", repr(e))

asyncio.run(main())
"""),
        ("057", "a bad yield is thrown back one iteration later",
         "A coroutine that yields something that is not a future (nor None) gets "
         "`RuntimeError('Task got bad yield: ...')` thrown back at that yield on the next "
         "iteration (Kettle: `KT_EBADYIELD`, book §5.2).",
         """
import asyncio
import types

@types.coroutine
def yields_a_number():
    try:
        yield 42
    except RuntimeError as e:
        print("thrown back:", e)

async def main():
    asyncio.get_running_loop().call_soon(print, "a callback queued before the yield")
    await yields_a_number()
    print("the coroutine carries on")

asyncio.run(main())
"""),
        ("059", "a finished task's done callbacks, then its awaiter",
         "A task that finishes queues its done callbacks with `call_soon` in registration order; "
         "the wake-up of a task awaiting it is one of them, registered when it started to await "
         "(book §5.2).",
         """
import asyncio

async def child():
    await asyncio.sleep(0)
    print("child finishing")
    return "c"

async def main():
    t = asyncio.create_task(child())
    t.add_done_callback(lambda _: print("done callback, registered first"))
    print("main resumed with", await t)

asyncio.run(main())
"""),
    ]),
    ("Combinators (Lab 06)", [
        ("061", "gather's first error does not cancel the others",
         'With `return_exceptions=False` the first exception reaches the awaiter at once, but the other children are not cancelled: they run to their end (book §6.3).',
         """
import asyncio

async def job(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name + " failed")
    print(name, "finished")
    return name

async def main():
    slow = asyncio.create_task(job("slow", 0.1))
    try:
        await asyncio.gather(job("bad", 0.01, fail=True), slow)
    except ValueError as e:
        print("gather raised:", e, "| slow cancelled?", slow.cancelled())
    await slow
    print("slow kept running and returned", slow.result())

asyncio.run(main())
"""),
        ("063", 'gather(return_exceptions=True) returns errors in place',
         "With `return_exceptions=True` every outcome comes back in argument order, exceptions included; a cancelled child appears as a `CancelledError` whose args are its cancel message (`''` for a task cancelled without one, as here) (book §6.3).",
         """
import asyncio

async def ok():
    return "ok"

async def bad():
    raise KeyError("k")

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.cancel("stop it")                  # a future cancelled with a message
    task = asyncio.create_task(asyncio.sleep(10))
    task.cancel()                          # a task cancelled without one
    results = await asyncio.gather(ok(), bad(), fut, task, return_exceptions=True)
    for r in results:
        print(type(r).__name__, r.args if isinstance(r, BaseException) else r)

asyncio.run(main())
"""),
        ("065", 'a child cancelled from outside fails the gather',
         "If one child is cancelled from outside, the gather's future finishes with a `CancelledError` *exception*; it is not itself cancelled, and the other children go on (book §6.3).",
         """
import asyncio

async def main():
    a = asyncio.create_task(asyncio.sleep(0.02, "a"))
    b = asyncio.create_task(asyncio.sleep(10))
    g = asyncio.gather(a, b)
    await asyncio.sleep(0)
    b.cancel()
    try:
        await g
    except asyncio.CancelledError:
        print("await gather: CancelledError")
    print("gather cancelled():", g.cancelled(), "| its exception:", type(g.exception()).__name__)
    print("a cancelled?", a.cancelled(), "| a's result:", await a)

asyncio.run(main())
"""),
        ("067", 'cancel() on a gather that already failed does nothing',
         "Once the gather has failed with a child's exception it is done: `cancel()` returns False and the children still running are not cancelled (book §6.3).",
         """
import asyncio

async def fails():
    await asyncio.sleep(0)
    raise ValueError("first")

async def main():
    runner = asyncio.create_task(asyncio.sleep(0.02, "runner done"))
    g = asyncio.gather(fails(), runner)
    try:
        await g
    except ValueError as e:
        print("gather failed with", e)
    print("gather.cancel():", g.cancel())
    print("runner still finishes:", await runner)

asyncio.run(main())
"""),
        ("069", 'cancelling the task awaiting a gather cancels the children',
         'Cancelling a task that awaits `gather()` cancels the gather, which cancels every child; the task ends with `CancelledError` (book §6.3).',
         """
import asyncio

async def child(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise

async def parent():
    await asyncio.gather(child("c1"), child("c2"))

async def main():
    t = asyncio.create_task(parent())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("parent got CancelledError | cancelled():", t.cancelled())

asyncio.run(main())
"""),
        ("071", 'wait(FIRST_COMPLETED) returns as soon as one is done',
         '`wait(return_when=FIRST_COMPLETED)` returns the `(done, pending)` sets as soon as one finishes; the pending ones keep running, not cancelled (book §6.4).',
         """
import asyncio

async def main():
    fast = asyncio.create_task(asyncio.sleep(0.01, "fast"))
    slow = asyncio.create_task(asyncio.sleep(0.1, "slow"))
    done, pending = await asyncio.wait({fast, slow}, return_when=asyncio.FIRST_COMPLETED)
    print("done:", [t.result() for t in done], "| pending:", len(pending))
    print("slow cancelled?", slow.cancelled(), "| then:", await slow)

asyncio.run(main())
"""),
        ("073", 'wait(timeout) neither raises nor cancels',
         'On timeout `wait()` just returns `(done, pending)`: no `TimeoutError`, and the pending futures are not cancelled (book §6.4).',
         """
import asyncio

async def main():
    t = asyncio.create_task(asyncio.sleep(0.05, "late"))
    done, pending = await asyncio.wait({t}, timeout=0.01)
    print("no TimeoutError | done:", len(done), "| pending:", len(pending))
    print("cancelled?", t.cancelled(), "| it still finishes:", await t)

asyncio.run(main())
"""),
        ("075", 'wait() on done futures still yields once',
         '`wait()` on futures that are already done still suspends for one iteration (its callbacks go through `call_soon`), then returns them all in `done` (book §6.4).',
         """
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result(1)
    loop.call_soon(print, "a callback queued before wait")
    done, pending = await asyncio.wait({f})
    print("wait returned: done", len(done), "| pending", len(pending))

asyncio.run(main())
"""),
        ("077", 'as_completed yields in completion order',
         '`as_completed()` gives awaitables in the order they complete, not the argument order; each gives its result or raises its exception, and the loop can go on after an exception (book §6.5).',
         """
import asyncio

async def job(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    return name

async def main():
    jobs = [job("third", 0.15), job("first", 0.01), job("second", 0.08, fail=True)]
    for next_done in asyncio.as_completed(jobs):
        try:
            print("got", await next_done)
        except ValueError as e:
            print("raised", repr(e), "and the loop goes on")

asyncio.run(main())
"""),
        ("079", 'as_completed: duplicates once, empty input nothing',
         '`as_completed()` works on the set of its arguments: a duplicate is given once, and an empty input gives nothing (book §6.5).',
         """
import asyncio

async def main():
    t = asyncio.create_task(asyncio.sleep(0.01, "once"))
    print([await f for f in asyncio.as_completed([t, t, t])])
    print([await f for f in asyncio.as_completed([])])

asyncio.run(main())
"""),
        ("081", "wait_for's timeout cancels the inner task and waits for it",
         'On timeout `wait_for` cancels the inner task, waits until it has really finished (its cleanup included), then raises `TimeoutError`, chained from the `CancelledError` (book §6.6).',
         """
import asyncio

async def slow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("inner cancelled, cleaning up")
        await asyncio.sleep(0.01)
        print("inner cleanup done")
        raise

async def main():
    try:
        await asyncio.wait_for(slow(), timeout=0.01)
    except asyncio.TimeoutError as e:
        print("TimeoutError, caused by", type(e.__cause__).__name__)

asyncio.run(main())
"""),
        ("083", 'wait_for with timeout 0',
         'With a timeout of 0 or less, a future already done gives its result; a coroutine is wrapped in a task that is cancelled before it ever starts, so its body never runs and `TimeoutError` is raised (book §6.6).',
         """
import asyncio

async def body():
    print("body ran")
    return "never"

async def main():
    done = asyncio.get_running_loop().create_future()
    done.set_result("ready")
    print("done future, timeout 0:", await asyncio.wait_for(done, timeout=0))
    try:
        await asyncio.wait_for(body(), timeout=0)
    except asyncio.TimeoutError:
        print("coroutine, timeout 0: TimeoutError, body never ran")

asyncio.run(main())
"""),
        ("085", 'cancelling the waiter of wait_for cancels the inner task',
         'Cancelling the task blocked in `wait_for` cancels the inner awaitable too, and waits for it, before `CancelledError` propagates: no `TimeoutError` (book §6.6).',
         """
import asyncio

async def inner():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("inner cancelled")
        raise

async def outer():
    await asyncio.wait_for(inner(), timeout=5)

async def main():
    t = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outer: CancelledError, not TimeoutError")

asyncio.run(main())
"""),
        ("087", 'shield: an inner cancel reaches the outer future',
         "If the shielded inner future is itself cancelled, the shield's outer future is cancelled too; `shield()` of a future already done returns that same object (book §6.6).",
         """
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    inner = loop.create_future()
    outer = asyncio.shield(inner)
    inner.cancel()
    await asyncio.sleep(0)
    print("inner cancelled -> outer cancelled:", outer.cancelled())
    done = loop.create_future()
    done.set_result(5)
    print("shield(done future) is the same object:", asyncio.shield(done) is done)

asyncio.run(main())
"""),
        ("123", "the first failing child cancels its siblings and the body",
         "In a `TaskGroup` the first child that fails cancels the other children and the owner's "
         "body, the block raises an `ExceptionGroup` of the errors, and the owner's cancel is "
         "taken back so that it can go on awaiting (book §6.7).",
         """
import asyncio

async def breaks():
    await asyncio.sleep(0.01)
    print("breaks: raises KeyError")
    raise KeyError("broken")

async def parked(who):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        print(who, "cancelled by the group")
        raise

async def main():
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(breaks())
            other = group.create_task(parked("sibling:"))
            await parked("body:")
    except ExceptionGroup as eg:
        print("the block raised", type(eg).__name__, [repr(e) for e in eg.exceptions])
    print("sibling cancelled():", other.cancelled(),
          "| owner cancelling():", asyncio.current_task().cancelling())
    await asyncio.sleep(0)
    print("the owner awaits again without being interrupted")

asyncio.run(main())
"""),
        ("125", "an error of the body joins the group's errors",
         "An exception raised by the block's own body cancels the children, the exit still waits "
         "for their cleanup, and the body's error goes into the `ExceptionGroup` after the "
         "children's errors: it is never raised bare (book §6.7).",
         """
import asyncio

async def child(fail_in_cleanup):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        await asyncio.sleep(0.01)              # the exit waits for this
        print("  child: cleanup finished")
        if fail_in_cleanup:
            raise OSError("cleanup failed")
        raise

async def attempt(fail_in_cleanup):
    try:
        async with asyncio.TaskGroup() as group:
            kid = group.create_task(child(fail_in_cleanup))
            await asyncio.sleep(0)
            print("  body: raises KeyError")
            raise KeyError("body")
    except ExceptionGroup as eg:
        print("  ExceptionGroup", [repr(e) for e in eg.exceptions], "| child cancelled():", kid.cancelled())

async def main():
    print("a child that lets the cancel through:")
    await attempt(False)
    print("a child whose cleanup fails:")
    await attempt(True)

asyncio.run(main())
"""),
        ("127", "a child's error wins over the owner's cancellation",
         "When the owner of a group is cancelled but a child fails while being cancelled, the "
         "block raises the `ExceptionGroup`, not `CancelledError`: errors win, and the owner "
         "ends with that error, not cancelled (book §6.7).",
         """
import asyncio

async def child():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        print("child: cancelled, and its cleanup fails")
        raise OSError("cleanup failed")

async def owner():
    async with asyncio.TaskGroup() as group:
        group.create_task(child())
        await asyncio.sleep(5)

async def main():
    task = asyncio.create_task(owner())
    await asyncio.sleep(0.01)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("the owner was cancelled")
    except ExceptionGroup as eg:
        print("the owner raised ExceptionGroup", [repr(e) for e in eg.exceptions])
    print("owner cancelled():", task.cancelled())

asyncio.run(main())
"""),
        ("129", "a child may add tasks while the exit waits",
         "While the block's exit waits for the children (and nothing failed), a running child may "
         "still add tasks to the group, and the exit waits for those too (book §6.7).",
         """
import asyncio

async def leaf(name, delay):
    await asyncio.sleep(delay)
    print("leaf", name, "done")

async def spawner(group):
    await asyncio.sleep(0.01)
    print("spawner: the body has left the block; adding two leaves")
    group.create_task(leaf("slow", 0.03))
    group.create_task(leaf("quick", 0.01))

async def main():
    async with asyncio.TaskGroup() as group:
        group.create_task(spawner(group))
        print("body: reaches the end of the block")
    print("the block exits after both leaves")

asyncio.run(main())
"""),
        ("131", "nested groups",
         "A failure in an inner group leaves its block as an `ExceptionGroup`, which the outer group "
         "collects as its body's error (a group inside the group); a failure in the outer group "
         "cancels the outer body, the inner block turns that into a plain `CancelledError` after "
         "cancelling its own children, and the outer group's errors stay flat (book §6.7).",
         """
import asyncio

def shape(e):
    if isinstance(e, BaseExceptionGroup):
        return type(e).__name__ + "[" + ", ".join(shape(x) for x in e.exceptions) + "]"
    return repr(e)

async def fails_after(delay, name):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(" ", name, "cancelled")
        raise
    raise ValueError(name)

async def nested(inner_delay, outer_delay):
    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(fails_after(outer_delay, "outer child"))
            async with asyncio.TaskGroup() as inner:
                inner.create_task(fails_after(inner_delay, "inner child"))
    except ExceptionGroup as eg:
        print("  the outer block raised", shape(eg))

async def main():
    print("the inner child fails first:")
    await nested(0.01, 5)
    print("the outer child fails first:")
    await nested(5, 0.01)

asyncio.run(main())
"""),
        ("133", "a child cancelled from outside is no failure",
         "Cancelling one child directly does not abort the group: the other children run on, "
         "tasks may still be added, and the block ends normally (book §6.7).",
         """
import asyncio

async def worker(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise
    print(name, "finished")

async def main():
    async with asyncio.TaskGroup() as group:
        victim = group.create_task(worker("victim", 5))
        group.create_task(worker("steady", 0.03))
        await asyncio.sleep(0.01)
        print("body: victim.cancel() ->", victim.cancel())
        group.create_task(worker("late", 0.005))
    print("the block ended without an error | victim cancelled():", victim.cancelled())

asyncio.run(main())
"""),
        ("135", "a deadline that is not reached changes nothing",
         "A `timeout` block that ends before its deadline lets its outcome through unchanged, "
         "its own exception included; `expired()` stays False and `when()` keeps the deadline, "
         "while the object goes from created to active to finished (book §6.8).",
         """
import asyncio
import re

def state(cm):
    return re.search(r"\\[(\\w+)\\]", repr(cm)).group(1)

async def main():
    cm = asyncio.timeout(5)
    print("before the block:", state(cm))
    async with cm:
        deadline = cm.when()
        print("inside:", state(cm), "| deadline ahead:", deadline > asyncio.get_running_loop().time())
        await asyncio.sleep(0.01)
    print("after it:", state(cm), "| expired():", cm.expired(), "| when() kept:", cm.when() == deadline)
    try:
        async with asyncio.timeout(5) as other:
            raise LookupError("the body's own error")
    except LookupError as e:
        print("the body's error passes through:", repr(e), "| expired():", other.expired())
    await asyncio.sleep(0.01)
    print("a later await is not interrupted")

asyncio.run(main())
"""),
        ("137", "reschedule only while the block is active",
         "`reschedule()` works only while the timeout is active: before the block it raises "
         "\"Timeout has not been entered\", and once the timeout is expiring, expired or finished "
         "\"Cannot change state of ... Timeout\"; a timeout cannot be entered twice "
         "(Kettle: `KT_EINVALSTATE`, book §6.8).",
         """
import asyncio

def try_reschedule(cm, when):
    try:
        cm.reschedule(when)
        return "ok"
    except RuntimeError as e:
        return "RuntimeError: " + str(e)

async def main():
    loop = asyncio.get_running_loop()
    cm = asyncio.timeout(None)
    print("not entered ->", try_reschedule(cm, None))
    try:
        async with cm:
            print("active ->", try_reschedule(cm, loop.time() + 0.01))
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                print("expiring ->", try_reschedule(cm, None))
                raise
    except TimeoutError:
        print("the block raised TimeoutError")
    print("expired ->", try_reschedule(cm, None))
    async with asyncio.timeout(5) as quiet:
        pass
    print("finished ->", try_reschedule(quiet, None))
    try:
        async with quiet:
            pass
    except RuntimeError as e:
        print("entered again -> RuntimeError:", e)

asyncio.run(main())
"""),
        ("139", "nested timeouts: only the one that fired converts",
         "With nested timeouts whose outer deadline comes first, the inner block lets the "
         "`CancelledError` through unchanged (its own deadline did not fire) and only the outer "
         "block raises `TimeoutError` (book §6.8).",
         """
import asyncio

async def main():
    try:
        async with asyncio.timeout(0.01) as outer:
            try:
                async with asyncio.timeout(5) as inner:
                    await asyncio.sleep(10)
            except asyncio.CancelledError:
                print("inner block: CancelledError passes through | inner expired():", inner.expired())
                raise
    except TimeoutError:
        print("outer block: TimeoutError | outer expired():", outer.expired())

asyncio.run(main())
"""),
        ("141", "a body that swallows the timeout's cancel ends normally",
         "If the body catches the `CancelledError` the deadline caused and goes on, the block ends "
         "without `TimeoutError`; `expired()` is still True and the cancel request is taken back "
         "(`cancelling()` is 0 again), so later awaits run undisturbed (book §6.8).",
         """
import asyncio

async def main():
    me = asyncio.current_task()
    async with asyncio.timeout(0.01) as cm:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            print("body: caught the cancel | cancelling():", me.cancelling())
        await asyncio.sleep(0.02)
        print("body: went on past the deadline")
    print("the block ended normally | expired():", cm.expired(), "| cancelling():", me.cancelling())
    await asyncio.sleep(0.01)
    print("a later await is not interrupted")

asyncio.run(main())
"""),
        ("143", "a deadline already past",
         "A deadline at or before now is no error on entry: the expiry is scheduled with "
         "`call_soon`, so the body runs until its first real suspension, which is cancelled and "
         "becomes `TimeoutError`; awaiting a done future does not suspend, and a body that never "
         "suspends ends normally with `expired()` False (book §6.8).",
         """
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    for label, make in (("timeout(0)", lambda: asyncio.timeout(0)),
                        ("timeout(-3)", lambda: asyncio.timeout(-3)),
                        ("timeout_at(an hour ago)", lambda: asyncio.timeout_at(loop.time() - 3600))):
        ready = loop.create_future()
        ready.set_result("ready")
        try:
            async with make() as cm:
                print(label, "| the body runs; a done future gives", await ready)
                await asyncio.sleep(0)
                print(label, "| not printed")
        except TimeoutError:
            print(label, "| TimeoutError at the first real suspension | expired():", cm.expired())
    async with asyncio.timeout(0) as cm:
        print("timeout(0) around a body that never suspends: it runs to its end")
    print("no error | expired():", cm.expired())

asyncio.run(main())
"""),
        ("145", "a timeout needs a task",
         "`asyncio.timeout()` needs a running loop, and entering it outside a task, from a plain "
         "loop callback, raises `RuntimeError` \"Timeout should be used inside a task\" "
         "(Kettle: `KT_ENOTCORO`, book §6.8).",
         """
import asyncio

try:
    asyncio.timeout(1)
except RuntimeError as e:
    print("no running loop -> RuntimeError:", e)

def plain_callback():
    entering = asyncio.timeout(1).__aenter__()
    try:
        entering.send(None)
    except RuntimeError as e:
        print("entered from a loop callback -> RuntimeError:", e)

async def main():
    asyncio.get_running_loop().call_soon(plain_callback)
    await asyncio.sleep(0.01)

asyncio.run(main())
"""),
    ]),
    ("Synchronisation primitives and queues (Lab 07)", [
        ("089", "a free lock is taken without yielding",
         "Acquiring a lock that is free and that nobody waits for takes it at once: the task does "
         "not yield, so no callback or task runs in between (book §7.4).",
         """
import asyncio

async def main():
    lock = asyncio.Lock()
    asyncio.get_running_loop().call_soon(print, "a callback scheduled before the acquire")
    async with lock:
        print("holding the lock, locked():", lock.locked())
    print("released, locked():", lock.locked())
    await asyncio.sleep(0)

asyncio.run(main())
"""),
        ("091", "a woken waiter that is cancelled passes the wake-up on",
         "If the waiter that `release()` woke is cancelled before it runs, it wakes the next "
         "waiter, so the lock is not lost with others waiting forever (book §7.4).",
         """
import asyncio

async def main():
    lock = asyncio.Lock()
    await lock.acquire()

    async def waiter(name):
        try:
            async with lock:
                print(name, "got the lock")
        except asyncio.CancelledError:
            print(name, "cancelled while waiting")
            raise

    first = asyncio.create_task(waiter("first"))
    second = asyncio.create_task(waiter("second"))
    await asyncio.sleep(0)                  # both wait now
    lock.release()                          # wakes first...
    first.cancel()                          # ...which is cancelled before it runs
    await asyncio.gather(first, second, return_exceptions=True)
    print("first cancelled():", first.cancelled(), "| lock free again:", not lock.locked())

asyncio.run(main())
"""),
        ("093", "set() wakes every waiter",
         "`Event.set()` wakes every waiter, in the order they started waiting, on a later "
         "iteration, and `wait()` returns True; waiting on an event already set returns at once, "
         "without yielding (book §7.5).",
         """
import asyncio

async def main():
    event = asyncio.Event()

    async def waiter(n):
        print("waiter", n, "wait() ->", await event.wait())

    tasks = [asyncio.create_task(waiter(n)) for n in (1, 2, 3)]
    await asyncio.sleep(0)
    event.set()
    print("set() returned | is_set():", event.is_set())
    await asyncio.gather(*tasks)
    asyncio.get_running_loop().call_soon(print, "a callback scheduled before the second wait")
    print("wait() on a set event ->", await event.wait(), "(no yield: the callback has not run)")
    await asyncio.sleep(0)

asyncio.run(main())
"""),
        ("095", "a condition's wait and notify need its lock",
         "`Condition.wait()`, `notify()` and `notify_all()` raise `RuntimeError` unless the "
         "condition's lock is held (Kettle: `KT_ENOTLOCKED`, book §7.6).",
         """
import asyncio

async def main():
    cond = asyncio.Condition()
    try:
        await cond.wait()
    except RuntimeError as e:
        print("wait() ->", e)
    for name in ("notify", "notify_all"):
        try:
            getattr(cond, name)()
        except RuntimeError as e:
            print(name + "() ->", e)

asyncio.run(main())
"""),
        ("097", "notify() skips waiters already woken",
         "`notify(n)` counts only waiters that are not woken yet, so two `notify(1)` in a row "
         "wake two different waiters; each woken waiter holds the lock again when its `wait()` "
         "returns (book §7.6).",
         """
import asyncio

async def main():
    cond = asyncio.Condition()

    async def waiter(n):
        async with cond:
            await cond.wait()
            print("waiter", n, "woke, holding the lock:", cond.locked())

    tasks = [asyncio.create_task(waiter(n)) for n in (1, 2, 3)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
        cond.notify(1)
    await asyncio.sleep(0.01)
    print("still waiting:", sum(not t.done() for t in tasks))
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

asyncio.run(main())
"""),
        ("099", "a cancelled wait takes the lock back first",
         "A task cancelled inside `Condition.wait()` waits to hold the lock again before the "
         "`CancelledError` leaves `wait()`, so the release at the end of `async with` stays "
         "balanced (book §7.6).",
         """
import asyncio

async def main():
    cond = asyncio.Condition()

    async def waiter():
        async with cond:
            try:
                await cond.wait()
            except asyncio.CancelledError:
                print("waiter: CancelledError, holding the lock:", cond.locked())
                raise

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    async with cond:
        task.cancel()
        await asyncio.sleep(0.01)
        print("main holds the lock; the waiter is not done yet:", not task.done())
    await asyncio.gather(task, return_exceptions=True)
    print("waiter cancelled():", task.cancelled(), "| lock free:", not cond.locked())

asyncio.run(main())
"""),
        ("101", "a semaphore's count: negative refused, extra releases counted",
         "A negative initial value is refused (`ValueError`), `Semaphore(0)` starts locked, a "
         "plain semaphore counts releases beyond its start value, and a `BoundedSemaphore` "
         "refuses them (Kettle: `KT_EINVAL`, `KT_EOVERRELEASE`, book §7.7).",
         """
import asyncio

async def main():
    try:
        asyncio.Semaphore(-2)
    except ValueError as e:
        print("Semaphore(-2) -> ValueError:", e)
    print("Semaphore(0).locked():", asyncio.Semaphore(0).locked())
    plain = asyncio.Semaphore(1)
    plain.release()
    plain.release()
    taken = 0
    while not plain.locked():
        await plain.acquire()
        taken += 1
    print("Semaphore(1) released twice more lets", taken, "acquires through")
    bounded = asyncio.BoundedSemaphore(1)
    try:
        bounded.release()
    except ValueError as e:
        print("BoundedSemaphore(1).release() ->", e)

asyncio.run(main())
"""),
        ("103", "a woken semaphore waiter that is cancelled gives the permit on",
         "If the waiter a `release()` woke is cancelled before it runs, its permit goes back and "
         "wakes the next waiter, so no permit is lost (book §7.7).",
         """
import asyncio

async def main():
    sem = asyncio.Semaphore(0)

    async def waiter(name):
        try:
            await sem.acquire()
            print(name, "acquired")
        except asyncio.CancelledError:
            print(name, "cancelled")
            raise

    first = asyncio.create_task(waiter("first"))
    second = asyncio.create_task(waiter("second"))
    await asyncio.sleep(0)
    sem.release()                   # the permit goes to first...
    first.cancel()                  # ...cancelled before it runs
    await asyncio.gather(first, second, return_exceptions=True)
    print("second done and not cancelled:", second.done() and not second.cancelled())

asyncio.run(main())
"""),
        ("105", "abort breaks a barrier until reset",
         "`abort()` breaks the barrier: waiting tasks and every later `wait()` raise "
         "`BrokenBarrierError` until `reset()`; a `reset()` with tasks waiting breaks those but "
         "leaves the barrier usable, and the last party to arrive releases the round "
         "(book §7.8).",
         """
import asyncio

async def main():
    barrier = asyncio.Barrier(2)

    async def party(name):
        try:
            print(name, "-> index", await barrier.wait())
        except asyncio.BrokenBarrierError:
            print(name, "-> BrokenBarrierError")

    early = asyncio.create_task(party("waiting at abort"))
    await asyncio.sleep(0)
    await barrier.abort()
    await early
    await party("arriving after abort")
    await barrier.reset()
    print("after reset, broken:", barrier.broken)
    early = asyncio.create_task(party("waiting at a reset"))
    await asyncio.sleep(0)
    await barrier.reset()
    await early
    await asyncio.gather(party("first"), party("second"))

asyncio.run(main())
"""),
        ("147", "a barrier serves round after round",
         "A barrier is reusable, but a party that comes back while the round still drains waits "
         "until the last released party has left: in a two-party barrier the releasing party "
         "arrives second, with index 1, in every round (book §7.8).",
         """
import asyncio

async def main():
    barrier = asyncio.Barrier(2)

    async def party(name):
        for round_ in (1, 2, 3):
            index = await barrier.wait()
            print("round", round_, "|", name, "index", index, "| waiting now", barrier.n_waiting)

    early = asyncio.create_task(party("early"))
    await asyncio.sleep(0)
    print("early waits alone | waiting now", barrier.n_waiting)
    await asyncio.gather(early, party("late"))
    print("after three rounds | waiting", barrier.n_waiting, "| broken", barrier.broken)

asyncio.run(main())
"""),
        ("107", "a queue is FIFO; the nowait calls fail instead of waiting",
         "A queue gives items in the order they were put, `maxsize` 0 means never full, "
         "`get_nowait()` on an empty queue raises `QueueEmpty` and `put_nowait()` on a full one "
         "`QueueFull`, the queue unchanged (Kettle: `KT_EQUEUEEMPTY`, `KT_EQUEUEFULL`, book §7.9).",
         """
import asyncio

async def main():
    q = asyncio.Queue()
    for item in "abc":
        await q.put(item)
    print("qsize", q.qsize(), "| empty", q.empty(), "| full (maxsize 0)", q.full())
    print("taken in order:", [q.get_nowait() for _ in range(3)], "| empty now", q.empty())
    try:
        q.get_nowait()
    except asyncio.QueueEmpty:
        print("get_nowait() on an empty queue -> QueueEmpty")
    small = asyncio.Queue(maxsize=1)
    small.put_nowait("only")
    try:
        small.put_nowait("one more")
    except asyncio.QueueFull:
        print("put_nowait() on a full queue -> QueueFull | full", small.full(), "| qsize", small.qsize())

asyncio.run(main())
"""),
        ("109", "blocked getters are served in order",
         "Tasks blocked in `get()` are served in the order they started waiting, each put "
         "waking one of them (book §7.9).",
         """
import asyncio

async def main():
    q = asyncio.Queue()

    async def consumer(name):
        print(name, "got", await q.get())

    tasks = [asyncio.create_task(consumer(name)) for name in ("c1", "c2", "c3")]
    await asyncio.sleep(0)
    for item in (10, 20, 30):
        q.put_nowait(item)
    await asyncio.gather(*tasks)

asyncio.run(main())
"""),
        ("111", "join() with nothing unfinished does not yield",
         "`join()` returns at once, without yielding, when no put is unfinished, and "
         "`task_done()` counts puts, not gets (book §7.9).",
         """
import asyncio

async def main():
    q = asyncio.Queue()
    asyncio.get_running_loop().call_soon(print, "a callback scheduled before the joins")
    await q.join()
    print("join() on a new queue returned")
    q.put_nowait("item")
    q.task_done()                            # no get() before it
    await q.join()
    print("join() after put and task_done returned | qsize still", q.qsize())
    await asyncio.sleep(0)

asyncio.run(main())
"""),
        ("113", "a woken getter can find the queue empty",
         "A getter woken by a put does not own the item: if someone else takes it first, the "
         "woken getter waits again, at the end of the line (book §7.9).",
         """
import asyncio

async def main():
    q = asyncio.Queue()

    async def consumer(name):
        print(name, "got", await q.get())

    one = asyncio.create_task(consumer("one"))
    await asyncio.sleep(0)
    two = asyncio.create_task(consumer("two"))
    await asyncio.sleep(0)
    q.put_nowait("first")                    # wakes one...
    print("main took", q.get_nowait())       # ...but main takes the item
    await asyncio.sleep(0)
    q.put_nowait("second")
    await asyncio.sleep(0)
    q.put_nowait("third")
    await asyncio.gather(one, two)

asyncio.run(main())
"""),
    ]),
    ("Executors (Lab 08)", [
        ("115", "run_in_executor: the work's result or error, on the loop",
         "`run_in_executor` runs a function on a worker thread and gives the loop a future that "
         "ends with the function's return value or its exception, raised again at the await "
         "(book §8.3, §8.4).",
         """
import asyncio
import concurrent.futures
import threading

def divide(a, b):
    return a // b, threading.current_thread() is threading.main_thread()

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.run_in_executor(None, divide, 7, 2)
    print("an asyncio future:", isinstance(fut, asyncio.Future))
    quotient, on_main_thread = await fut
    print("result:", quotient, "| ran on the main thread:", on_main_thread)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        print("on a pool of one's own:", (await loop.run_in_executor(pool, divide, 9, 3))[0])
    try:
        await loop.run_in_executor(None, divide, 1, 0)
    except ZeroDivisionError as e:
        print("the error comes back at the await:", repr(e))

asyncio.run(main())
"""),
        ("117", "call_soon_threadsafe wakes a sleeping loop",
         "A call made with `call_soon_threadsafe` from another thread wakes the loop out of its "
         "poll at once and the calls run in the order they were made; a plain `call_soon` from "
         "another thread is queued, but the loop sleeps on until its next timer (book §8.2).",
         """
import asyncio
import selectors
import threading

class TellingSelector(selectors.DefaultSelector):
    # Says when the loop is about to sleep in its poll (its timeout is already decided).
    def __init__(self):
        super().__init__()
        self.asleep = threading.Event()

    def select(self, timeout=None):
        if timeout is None or timeout > 0:
            self.asleep.set()
        return super().select(timeout)

def trial(how):
    selector = TellingSelector()
    loop = asyncio.SelectorEventLoop(selector)
    loop.call_later(1, print, "  the 1 s timer fired: it is what woke the loop")

    def other_thread():
        selector.asleep.wait()
        schedule = getattr(loop, how)
        for n in (1, 2, 3):
            schedule(print, "  call", n)
        schedule(loop.stop)

    print(how + ":")
    worker = threading.Thread(target=other_thread)
    worker.start()
    loop.run_forever()
    worker.join()
    loop.close()

trial("call_soon_threadsafe")
trial("call_soon")
"""),
        ("119", "run_coroutine_threadsafe hands the task's outcome to another thread",
         "`run_coroutine_threadsafe` starts a coroutine on a loop running in another thread and "
         "returns a concurrent future that ends with the task's result or error (book §8.4).",
         """
import asyncio
import threading

loop = asyncio.new_event_loop()
runner = threading.Thread(target=loop.run_forever)
runner.start()

async def add(a, b):
    await asyncio.sleep(0.01)
    return a + b

async def broken():
    raise LookupError("raised on the loop")

cf = asyncio.run_coroutine_threadsafe(add(2, 3), loop)
print(type(cf).__module__, type(cf).__name__, "| result:", cf.result(timeout=5))
try:
    asyncio.run_coroutine_threadsafe(broken(), loop).result(timeout=5)
except LookupError as e:
    print("raised again in the calling thread:", repr(e))
loop.call_soon_threadsafe(loop.stop)
runner.join()
loop.close()
"""),
        ("121", "cancelling the loop's side cancels work not started",
         "`wrap_future` gives a concurrent future a loop future; cancelling that loop future "
         "cancels the concurrent one if its work has not started, so it never runs (book §8.4).",
         """
import asyncio
import concurrent.futures
import threading

async def main():
    loop = asyncio.get_running_loop()
    gate = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        busy = loop.run_in_executor(pool, gate.wait)       # takes the only worker
        queued = pool.submit(print, "the queued work ran")
        wrapped = asyncio.wrap_future(queued)
        print("wrapped is an asyncio future:", isinstance(wrapped, asyncio.Future))
        print("wrapped.cancel() ->", wrapped.cancel())
        await asyncio.sleep(0)
        print("the concurrent future is cancelled:", queued.cancelled())
        gate.set()
        await busy
    print("the pool has shut down; the queued work never ran")

asyncio.run(main())
"""),
        ("149", "one worker runs the jobs one at a time, in order",
         "A pool of one worker runs its jobs one after the other in submission order, so their "
         "futures complete in that order, however short the later jobs are (book §8.3).",
         """
import asyncio
import concurrent.futures
import threading

log = []
gate = threading.Event()

def job(name, wait_for_gate):
    log.append(name + " starts")
    if wait_for_gate:
        gate.wait()
    log.append(name + " ends")
    return name

async def main():
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        futures = [loop.run_in_executor(pool, job, "j1", True),
                   loop.run_in_executor(pool, job, "j2", False),
                   loop.run_in_executor(pool, job, "j3", False)]
        gate.set()                    # j1, the long one, may finish now
        for next_done in asyncio.as_completed(futures):
            print("completed:", await next_done)
    print("the worker's log:", log)

asyncio.run(main())
"""),
        ("151", "asyncio.run waits for the default pool's work",
         "`asyncio.run` ends by shutting the default executor down, which waits for its running "
         "work even if the task that awaited it was cancelled; after "
         "`shutdown_default_executor()`, `run_in_executor(None, ...)` raises `RuntimeError` "
         "(Kettle: `KT_ESHUTDOWN`, book §8.6).",
         """
import asyncio
import threading

main_done = threading.Event()

def slow_work():
    main_done.wait(5)
    print("work: finished after main() returned")

async def main():
    asyncio.create_task(asyncio.to_thread(slow_work))
    await asyncio.sleep(0.01)
    print("main() returns; its task on the pool is cancelled")
    main_done.set()

asyncio.run(main())
print("asyncio.run() returned, after the work")

async def after_shutdown():
    loop = asyncio.get_running_loop()
    print("before:", await loop.run_in_executor(None, max, 3, 8))
    await loop.shutdown_default_executor()
    try:
        loop.run_in_executor(None, max, 1, 2)
    except RuntimeError as e:
        print("after shutdown_default_executor -> RuntimeError:", e)

asyncio.run(after_shutdown())
"""),
        ("153", "a timeout on result() cancels nothing",
         "`result(timeout)` on a concurrent future that is not done raises `TimeoutError` in the "
         "caller and leaves the work running: a later `result()` gets its value (Kettle: "
         "`KT_ETIMEDOUT`, book §8.3).",
         """
import asyncio
import threading

loop = asyncio.new_event_loop()
runner = threading.Thread(target=loop.run_forever)
runner.start()
release = None

async def job():
    global release
    release = asyncio.Event()
    await release.wait()
    print("coroutine: released, returns")
    return "done"

concurrent_future = asyncio.run_coroutine_threadsafe(job(), loop)
try:
    concurrent_future.result(timeout=0.05)
except TimeoutError:
    print("result(timeout=0.05) -> TimeoutError")
print("done():", concurrent_future.done(), "| cancelled():", concurrent_future.cancelled())
loop.call_soon_threadsafe(lambda: release.set())
print("result() ->", concurrent_future.result(timeout=5))
loop.call_soon_threadsafe(loop.stop)
runner.join()
loop.close()
"""),
        ("155", "a process pool's job: its value, or its error, comes back",
         "With a process pool the job runs in a worker process: its return value comes back, and "
         "so does an exception it raises, made again in the parent with the same type and "
         "arguments (Kettle: the job's error code, book §8.5).",
         """
import asyncio
import concurrent.futures

class JobError(Exception):
    pass

def square(x):
    if x < 0:
        raise JobError("negative", x)
    return x * x

async def main():
    loop = asyncio.get_running_loop()
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        print("square(7) in the worker:", await loop.run_in_executor(pool, square, 7))
        try:
            await loop.run_in_executor(pool, square, -3)
        except JobError as e:
            print("square(-3) raised", type(e).__name__, e.args, "| cause:", type(e.__cause__).__name__)

if __name__ == "__main__":
    asyncio.run(main())
"""),
        ("157", "work already running cannot be cancelled",
         "Cancelling the loop future of work that is already running cancels only the loop "
         "future: the concurrent future refuses, the work runs to its end, and its result is "
         "dropped (book §8.4).",
         """
import asyncio
import concurrent.futures
import threading

started, gate = threading.Event(), threading.Event()

def work():
    started.set()
    gate.wait()
    print("worker: the work ran to its end")
    return "a result nobody sees"

async def main():
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        cf = pool.submit(work)
        af = asyncio.wrap_future(cf)
        await asyncio.to_thread(started.wait)
        print("af.cancel() ->", af.cancel())
        await asyncio.sleep(0)
        print("af cancelled:", af.cancelled(), "| cf cancelled:", cf.cancelled(), "| cf running:", cf.running())
        gate.set()
        print("cf.result() ->", await asyncio.to_thread(cf.result))
        await asyncio.sleep(0)
        print("af is still cancelled:", af.cancelled())

asyncio.run(main())
"""),
    ]),
    ("Sockets and streams (Lab 09)", [
        ("159", "readline: lines, then the last piece, then empty",
         "`readline()` returns one line with its `\\n`; at end of file it returns the last piece "
         "without one, then `b''` on every later call, and `at_eof()` is True (book §9.3).",
         """
import asyncio

async def main():
    finished = asyncio.Event()

    async def handler(reader, writer):
        for _ in range(4):
            print("server: readline() ->", await reader.readline())
        print("server: at_eof() ->", reader.at_eof())
        writer.close()
        await writer.wait_closed()
        finished.set()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"a whole line\\nthe end, unterminated")
    writer.write_eof()
    await finished.wait()
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()

asyncio.run(main())
"""),
        ("161", "readuntil: over the limit, the data stays",
         "`readuntil(sep)` returns the data up to and including `sep`; a separator found beyond "
         "the limit, or none within it, raises `LimitOverrunError` (`.consumed` says how far it "
         "looked) and leaves the data buffered; end of file without `sep` raises "
         "`IncompleteReadError` with the partial data (Kettle: `KT_ELIMITOVERRUN`, "
         "`KT_EINCOMPLETE`, book §9.3). The reader here is fed by hand, so that how the network "
         "cuts the bytes cannot change the output.",
         """
import asyncio

async def main():
    reader = asyncio.StreamReader(limit=8)
    reader.feed_data(b"ab\\r\\n" + b"0123456789\\r\\n" + b"ABCDEFGHIJKL")
    reader.feed_eof()
    print("readuntil ->", await reader.readuntil(b"\\r\\n"))
    for keep in ("readexactly", "read"):
        try:
            await reader.readuntil(b"\\r\\n")
        except asyncio.LimitOverrunError as e:
            print("LimitOverrunError:", e.args[0], "| consumed", e.consumed)
            kept = await (reader.readexactly(e.consumed + 2) if keep == "readexactly" else reader.read())
            print("  still buffered:", kept)
    other = asyncio.StreamReader()
    other.feed_data(b"one END two EN")
    other.feed_eof()
    print("readuntil(b'END') ->", await other.readuntil(b"END"))
    try:
        await other.readuntil(b"END")
    except asyncio.IncompleteReadError as e:
        print("at end of file: IncompleteReadError | partial", e.partial, "| expected", e.expected)

asyncio.run(main())
"""),
        ("163", "read(n) gives what is there; read() waits for the end",
         "`read(n)` returns as soon as some bytes are buffered, at most `n` of them; `read(0)` "
         "returns `b''` at once; `read()` collects everything until end of file, after which "
         "every read returns `b''` (book §9.3). The reader is fed by hand, as in case 161.",
         """
import asyncio

async def main():
    reader = asyncio.StreamReader()
    print("read(0) ->", await reader.read(0))
    reader.feed_data(b"first")
    print("read(100) ->", await reader.read(100), "(did not wait for 100 bytes)")

    async def later():
        await asyncio.sleep(0)
        reader.feed_data(b"second")
        reader.feed_data(b"third")
        reader.feed_eof()

    feeder = asyncio.create_task(later())
    print("read(3) ->", await reader.read(3))
    print("read() ->", await reader.read())
    print("after the end: read(5) ->", await reader.read(5), "| read() ->", await reader.read())
    await feeder

asyncio.run(main())
"""),
        ("165", "write never waits; drain waits above the high-water mark",
         "`write()` keeps what the socket cannot take in a buffer and returns; once that buffer "
         "is above the high-water mark, `drain()` waits until the peer has read enough for it to "
         "fall to the low-water mark, a quarter of the high one by default (book §9.4).",
         """
import asyncio
import socket

async def main():
    may_read, finished = asyncio.Event(), asyncio.Event()

    async def slow_reader(reader, writer):
        await may_read.wait()
        print("server: starts reading")
        print("server: got", len(await reader.read()), "bytes in all")
        writer.close()
        await writer.wait_closed()
        finished.set()

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(slow_reader, sock=listener)
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.getsockname()[1])
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    writer.transport.set_write_buffer_limits(high=32768)
    print("limits (low, high):", writer.transport.get_write_buffer_limits())
    writer.write(b"." * (1 << 20))
    print("write() returned; buffered above the high mark:", writer.transport.get_write_buffer_size() > 32768)
    draining = asyncio.create_task(writer.drain())
    await asyncio.sleep(0.05)
    print("drain() waits while nobody reads:", not draining.done())
    may_read.set()
    await draining
    print("drain() returned; buffered now at most the low mark:", writer.transport.get_write_buffer_size() <= 8192)
    writer.close()
    await writer.wait_closed()
    await finished.wait()
    server.close()
    await server.wait_closed()

asyncio.run(main())
"""),
        ("167", "each end's peer is the other end's own address",
         "A TCP stream's `peername` and `sockname` are (host, port) pairs, mirrored between the "
         "two ends: the client's peer is the server's port, and the server's peer is the "
         "client's own address (book §9.5).",
         """
import asyncio

async def main():
    seen = {}
    finished = asyncio.Event()

    async def handler(reader, writer):
        seen["peer"] = writer.get_extra_info("peername")
        seen["own"] = writer.get_extra_info("sockname")
        writer.close()
        await writer.wait_closed()
        finished.set()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await finished.wait()
    peer, own = writer.get_extra_info("peername"), writer.get_extra_info("sockname")
    print("client peername: host", repr(peer[0]), "| port is the server's:", peer[1] == port)
    print("server's peername is the client's sockname:", seen["peer"] == own)
    print("server's sockname is the client's peername:", seen["own"] == peer)
    print("an unknown key ->", writer.get_extra_info("no such key"))
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()

asyncio.run(main())
"""),
        ("169", "connecting where nothing listens is refused",
         "`open_connection()` to a port where nothing listens raises `ConnectionRefusedError`, "
         "an `OSError` with errno `ECONNREFUSED`, at the await (Kettle: `-ECONNREFUSED`, read "
         "with `getsockopt(SO_ERROR)` once the socket is writable, book §9.2, §9.5).",
         """
import asyncio
import errno
import socket

async def main():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))          # bound, not listening: nobody else can take the port
    port = holder.getsockname()[1]
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError as e:
        print(type(e).__name__, "| errno", errno.errorcode[e.errno], "| an OSError:", isinstance(e, OSError))
    finally:
        holder.close()

asyncio.run(main())
"""),
    ]),
]

HEAD = """# asyncio cases

Many test messages, and the chapters, cite a rule as "asyncio case NNN". A
case is a small asyncio program with a number, run on CPython 3.11: what it
prints is the order of events Kettle must reproduce. The tests replay the
same scenario in C and compare the whole log with that output, so when a
test that names a case fails, the case below shows what asyncio does and
why.

The numbers are odd and grouped by topic: the loop from 001, futures from
025, tasks from 039, combinators from 061, locks, events, conditions,
semaphores, barriers and queues from 089, executors from 115, TaskGroup and
timeout from 123 (they came with Python 3.11), and later additions from 147
up; below they are grouped by the lab that needs them. Each program below
is complete: save it and run it with `python3` to see the output shown
under it, which is exactly what CPython 3.11 printed when this page was made
(`tools/book/asyncio_cases.py` runs them all and writes this page, and
`make check` runs them again). Timers use real time here, so most programs
take a few hundredths of a second. None prints anything that depends on
timing or on the machine: threads wait for each other on events, and the
socket cases talk to themselves on 127.0.0.1 and print only what the rule
decides.

Where Kettle differs on purpose, the chapter says so: equal timer deadlines
run in scheduling order (§1.4), and a negative delay is an error rather than
"now" (§1.8).
"""


def run(program):
    r = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit(f"a case failed to run:\n{program}\n{r.stderr}")
    return r.stdout


def page():
    out = [HEAD]
    programs = [textwrap.dedent(c[3]).strip("\n") + "\n" for _, cases in PARTS for c in cases]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        outputs = dict(zip(programs, ex.map(run, programs)))
    for part, cases in PARTS:
        out.append(f"\n## {part}\n")
        for num, title, rule, program in cases:
            program = textwrap.dedent(program).strip("\n") + "\n"
            printed = outputs[program]
            out.append(f"\n### Case {num}: {title} {{#case-{num}}}\n\n{rule}\n\n"
                       f"```python\n{program}```\n\n```text\n{printed}```\n")
    return "".join(out)


def main(argv):
    text = page()
    if argv and argv[0] == "--check":
        if sys.version_info[:2] != (3, 11):
            print(f"asyncio cases: not checked (python {sys.version.split()[0]}, the page is CPython 3.11's)")
            return 0
        with open(PAGE, encoding="utf-8") as f:
            if f.read() != text:
                print("asyncio cases: book/docs/asyncio-cases.md differs from what CPython prints now; "
                      "rerun tools/book/asyncio_cases.py")
                return 1
        print(f"asyncio cases: {sum(len(c) for _, c in PARTS)} cases print what the page shows")
        return 0
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(PAGE, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
