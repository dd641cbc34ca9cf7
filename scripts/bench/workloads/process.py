# N x Process(noop).start() + join() with the fork start method; ms each.
import multiprocessing as mp, sys, time
def noop():
    pass
if __name__ == '__main__':
    mp.set_start_method('fork')
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    t0 = time.perf_counter()
    for _ in range(N):
        p = mp.Process(target=noop)
        p.start()
        p.join()
    print('RESULT', (time.perf_counter() - t0) / N * 1000)
