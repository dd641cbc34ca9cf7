# Pool(2).map of N trivial tasks; prints tasks per second.
import multiprocessing as mp, sys, time
def square(x):
    return x * x
if __name__ == '__main__':
    mp.set_start_method('fork')
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    items = list(range(N))
    with mp.Pool(2) as pool:
        t0 = time.perf_counter()
        out = pool.map(square, items)
        dt = time.perf_counter() - t0
    assert len(out) == N and out[-1] == (N - 1) ** 2
    print('RESULT', N / dt)
