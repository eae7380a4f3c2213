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
         'With `return_exceptions=False` the first exception reaches the awaiter at once, but the other children are not cancelled: they run to their end.',
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
         "With `return_exceptions=True` every outcome comes back in argument order, exceptions included; a cancelled child appears as a `CancelledError` whose args are its cancel message (`''` for a task cancelled without one, as here).",
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
         "If one child is cancelled from outside, the gather's future finishes with a `CancelledError` *exception*; it is not itself cancelled, and the other children go on.",
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
         "Once the gather has failed with a child's exception it is done: `cancel()` returns False and the children still running are not cancelled.",
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
         'Cancelling a task that awaits `gather()` cancels the gather, which cancels every child; the task ends with `CancelledError`.',
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
         '`wait(return_when=FIRST_COMPLETED)` returns the `(done, pending)` sets as soon as one finishes; the pending ones keep running, not cancelled.',
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
         'On timeout `wait()` just returns `(done, pending)`: no `TimeoutError`, and the pending futures are not cancelled.',
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
         '`wait()` on futures that are already done still suspends for one iteration (its callbacks go through `call_soon`), then returns them all in `done`.',
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
         '`as_completed()` gives awaitables in the order they complete, not the argument order; each gives its result or raises its exception, and the loop can go on after an exception.',
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
         '`as_completed()` works on the set of its arguments: a duplicate is given once, and an empty input gives nothing.',
         """
import asyncio

async def main():
    t = asyncio.create_task(asyncio.sleep(0.01, "once"))
    print([await f for f in asyncio.as_completed([t, t, t])])
    print([await f for f in asyncio.as_completed([])])

asyncio.run(main())
"""),
        ("081", "wait_for's timeout cancels the inner task and waits for it",
         'On timeout `wait_for` cancels the inner task, waits until it has really finished (its cleanup included), then raises `TimeoutError`, chained from the `CancelledError`.',
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
         'With a timeout of 0 or less, a future already done gives its result; a coroutine is wrapped in a task that is cancelled before it ever starts, so its body never runs and `TimeoutError` is raised.',
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
         'Cancelling the task blocked in `wait_for` cancels the inner awaitable too, and waits for it, before `CancelledError` propagates: no `TimeoutError`.',
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
         "If the shielded inner future is itself cancelled, the shield's outer future is cancelled too; `shield()` of a future already done returns that same object.",
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
025, tasks from 039, combinators from 061; later labs add their own further
up. Each program below
is complete: save it and run it with `python3` to see the output shown
under it, which is exactly what CPython 3.11 printed when this page was made
(`tools/book/asyncio_cases.py` runs them all and writes this page, and
`make check` runs them again). Timers use real time here, so each program
takes at most a few hundredths of a second.

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
