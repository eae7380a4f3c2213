# exam_score.py — the Python twin of solutions/04-futures/apps/exam_score.c
# (book §4.1). Same story, same output, with asyncio's own futures.
import asyncio


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A loop whose clock jumps to the next timer, like Kettle's virtual
    clock, so that "day 3" takes no time at all (it peeks at asyncio's
    private _ready and _scheduled: fine for a demo, not for production)."""
    def __init__(self):
        super().__init__()
        self.now = 0.0

    def time(self):
        return self.now

    def _run_once(self):
        if not self._ready and self._scheduled:
            self.now = max(self.now, self._scheduled[0].when())
        super()._run_once()


# [book:example]
class PaperLost(Exception):
    pass


def mark_papers(loop, grades):
    print(f"day {loop.time():g}: the teacher marks the papers")
    grades[0].set_result("B+")
    grades[1].set_exception(PaperLost())
    print(f"day {loop.time():g}: marking done (nobody has been told yet)")


def tell(name):
    def callback(grade):
        day = grade.get_loop().time()
        try:
            print(f"day {day:g}: {name} hears: grade {grade.result()}")
        except PaperLost:
            print(f"day {day:g}: {name} hears: no grade (paper lost)")
    return callback


def live_a_day(loop):
    print(f"day {loop.time():g}: lectures, lunch, the library")


loop = VirtualClockLoop()
grades = [loop.create_future(), loop.create_future()]
print(f"day 0: Ada asks for her grade: done? {'yes' if grades[0].done() else 'no'}")
grades[0].add_done_callback(tell("Ada"))
grades[1].add_done_callback(tell("Bob"))
for day in range(1, 4):
    loop.call_at(day, live_a_day, loop)
loop.call_at(2.5, mark_papers, loop, grades)
loop.call_at(3.5, loop.stop)
loop.run_forever()
loop.close()
# [/book:example]
