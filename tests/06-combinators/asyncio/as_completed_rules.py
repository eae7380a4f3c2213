# as_completed timeout: the timeout ends the remaining awaits with TimeoutError and cancels nothing.
import asyncio
async def val(v, d):
    await asyncio.sleep(d); return v
async def main():
    loop = asyncio.get_running_loop(); t0 = loop.time()
    a = asyncio.create_task(val("a", 1)); b = asyncio.create_task(val("b", 5)); c = asyncio.create_task(val("c", 6))
    for f in asyncio.as_completed([b, a, c], timeout=2):
        try:
            print("got", await f, f"@{loop.time() - t0:.0f}")
        except asyncio.TimeoutError:
            print("TimeoutError", f"@{loop.time() - t0:.0f}")
    print("b cancelled:", b.cancelled(), "| b later:", await b, f"@{loop.time() - t0:.0f}")
    await c
asyncio.run(main())
