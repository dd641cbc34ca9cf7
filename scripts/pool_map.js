// A CPU-bound Pool.map over a list: counting the primes below each of
// eight limits, in one process and then in a Pool of cpu_count()
// processes; the results must agree.
//
// The Python original:
//
//   from multiprocessing import Pool, cpu_count
//   import time
//
//   def is_prime(n):
//       if n < 2:
//           return False
//       d = 2
//       while d * d <= n:
//           if n % d == 0:
//               return False
//           d += 1
//       return True
//
//   def count_primes(limit):
//       return sum(1 for k in range(limit) if is_prime(k))
//
//   if __name__ == '__main__':
//       limits = [10000 * (i + 1) for i in range(8)]
//       t = time.perf_counter()
//       serial = [count_primes(n) for n in limits]
//       serial_time = time.perf_counter() - t
//       with Pool() as pool:
//           t = time.perf_counter()
//           counts = pool.map(count_primes, limits)
//           parallel_time = time.perf_counter() - t
//       for n, c in zip(limits, counts):
//           print('primes below %d: %d' % (n, c))
//       print('same as serial:', counts == serial)
//       print('serial %.2f s, %d processes %.2f s' % (serial_time, cpu_count(), parallel_time))
const { Pool, cpu_count } = require('multiprocessing');
const time = require('time');

function is_prime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) return false;
  }
  return true;
}

function count_primes(limit) {
  let count = 0;
  for (let k = 0; k < limit; k++) if (is_prime(k)) count++;
  return count;
}

// The pool is made first: its workers are copies of this process at
// that moment, and a copy made later would re-run the serial work.
const pool = Pool();
const limits = Array.from({ length: 8 }, (_, i) => 10000 * (i + 1));
let t = time.perf_counter();
const serial = limits.map(count_primes);
const serialTime = time.perf_counter() - t;
t = time.perf_counter();
const counts = pool.map(count_primes, limits);
const parallelTime = time.perf_counter() - t;
pool.close();
pool.join();
limits.forEach((n, i) => print(`primes below ${n}: ${counts[i]}`));
print('same as serial:', JSON.stringify(counts) === JSON.stringify(serial));
print(`serial ${serialTime.toFixed(2)} s, ${cpu_count()} processes ${parallelTime.toFixed(2)} s`);
