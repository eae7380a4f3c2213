# gather rules beyond the shared cases 061-069.
import asyncio
async def val(v, d):
    await asyncio.sleep(d); return v
async def bad(code, d):
    await asyncio.sleep(d); raise ValueError(code)
async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda l, c: print("  handler:", c["message"]))
    # duplicates: awaited once, reported in every position
    t = asyncio.create_task(val("t", 1))
    print("duplicates:", await asyncio.gather(t, t, asyncio.create_task(val("u", 2)), t))
    # empty input
    print("empty:", await asyncio.gather())
    # later errors are marked retrieved: no 'never retrieved' report
    a = asyncio.create_task(bad("first", 1)); b = asyncio.create_task(bad("second", 2))
    try:
        await asyncio.gather(a, b)
    except ValueError as e:
        print("first error:", e)
    await asyncio.sleep(2)
    del a, b
    import gc; gc.collect()
    print("no report for the second error")
    # cancelling the gather: every pending child cancelled; awaiting raises, g.cancelled() is False
    c1 = asyncio.create_task(val(1, 5)); c2 = asyncio.create_task(val(2, 5))
    g = asyncio.gather(c1, c2, return_exceptions=True)
    await asyncio.sleep(0)
    print("g.cancel() ->", g.cancel("stop"))
    try:
        await g
    except asyncio.CancelledError as e:
        print("await g: CancelledError", e.args, "| g.cancelled():", g.cancelled(), "| children cancelled:", c1.cancelled(), c2.cancelled())
    # cancel of a gather whose children are all done but which is not done yet -> False
    d = loop.create_future(); d.set_result(1)
    g2 = asyncio.gather(d)
    print("cancel with all children done ->", g2.cancel(), "| result", await g2)
asyncio.run(main())
