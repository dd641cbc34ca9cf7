# A child process puts N small dicts into a Queue; the parent gets them.
import multiprocessing as mp, sys, time
def producer(q, n):
    for i in range(n):
        q.put({'i': i, 's': 'x', 'a': [1, 2]})
if __name__ == '__main__':
    mp.set_start_method('fork')
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    q = mp.Queue()
    t0 = time.perf_counter()
    p = mp.Process(target=producer, args=(q, N))
    p.start()
    for _ in range(N):
        last = q.get()
    dt = time.perf_counter() - t0
    p.join()
    assert last['i'] == N - 1
    print('RESULT', N / dt)
