# N x Pool(2).apply_async + get; prints tasks per second.
import multiprocessing as mp, sys, time
def square(x):
    return x * x
if __name__ == '__main__':
    mp.set_start_method('fork')
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    with mp.Pool(2) as pool:
        t0 = time.perf_counter()
        results = [pool.apply_async(square, (i,)) for i in range(N)]
        total = sum(r.get() for r in results)
        dt = time.perf_counter() - t0
    print('RESULT', N / dt)
