// The standard normal's density and upper tail, for the poll schedule and the run-time statistics.

/** φ(u), the standard normal density. */
export function phi(u: number): number {
  return Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);
}

/** Q(u) = P(Z > u) for a standard normal, via erfc (relative error < 1.2e-7, also far in the tail). */
export function upperTail(u: number): number {
  const x = u / Math.SQRT2;
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return (x >= 0 ? erfc : 2 - erfc) / 2;
}
