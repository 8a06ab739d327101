"""L2 logistic regression on sparse features, solved by a lean L-BFGS: the ``logreg`` preset's fast path on text.

Why it exists: on TF-IDF features a round's fit has one coefficient per class and word (20 classes x 10,000 words
seen = 200,000), and scikit-learn's lbfgs solver (scipy's L-BFGS-B) spent about two thirds of a fit inside the
optimizer's own bookkeeping (``setulb``: the bound-constrained machinery), not in the loss (benchmarks/big_text.py,
profile). This module minimizes exactly scikit-learn's objective

    (1 / S) * sum_i s_i * logloss_i(W, b) + (1 / (2 C S)) * ||W||^2,     S = sum_i s_i

(``s_i`` the sample weights times the class weights; the intercept is not penalized; multinomial for 3+ classes,
binomial with one coefficient row for 2) with the algorithm L-BFGS-B runs on a problem without bounds: the L-BFGS
direction with the same memory (10 pairs, H0 = s'y / y'y), the same More-Thuente line search (scipy's ``DCSRCH``,
with L-BFGS-B's constants: ftol 1e-3, gtol 0.9, xtol 0.1, first step 1 / ||d|| then 1), the same update-skipping
rule, and the same stopping rules (largest gradient entry <= ``tol``; relative decrease of the objective <= 64
machine epsilons; ``max_iter`` iterations). Without bounds L-BFGS-B's Cauchy point and subspace minimization give
exactly the L-BFGS direction, so the path is the same up to rounding: on big_text's fits the same iteration counts
and coefficients equal to ~1e-5 of their size (tests/test_fast_logreg.py checks the same on small problems).

What makes it cheaper, beyond dropping the bound machinery: the direction in compact form (two passes over the
stored pairs, not four); a line search's trials move the scores along ``X d`` (one sparse product per step for
the trials, one for the gradient at the accepted point); the sparse products ``X d`` and ``X' R`` and the stored
correction pairs in float32 (their rounding, 1e-7 relative, is far below the 1e-4 tolerance; the objective, the
slopes the line search tests, each new pair's curvature s'y and y'y, and the iterate stay float64).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.linalg import solve_triangular
from scipy.special import expit, log_expit

_EPS = float(np.finfo(float).eps)
#: scikit-learn's lbfgs options: ``ftol = 64 * eps`` (L-BFGS-B's factr = 64), ``maxls = 50``, memory 10.
FTOL = 64 * _EPS
MAX_LINE_SEARCH = 50
MEMORY = 10


class LineSearchUnavailable(RuntimeError):
    """scipy's More-Thuente line search (``scipy.optimize._dcsrch.DCSRCH``) cannot be imported in this scipy.

    The caller falls back to scikit-learn's own lbfgs fit (same objective, same algorithm, slower).
    """


def _line_search_class() -> Any:
    try:
        from scipy.optimize._dcsrch import DCSRCH
    except ImportError as exc:  # a private module: guard against a scipy that moved it
        raise LineSearchUnavailable(str(exc)) from exc
    if not hasattr(DCSRCH, "_iterate"):
        raise LineSearchUnavailable("scipy.optimize._dcsrch.DCSRCH has no _iterate")
    return DCSRCH


@dataclass
class LbfgsResult:
    """Where :func:`lbfgs` stopped.

    Attributes
    ----------
    x : ndarray, shape (n,)
    fun : float
    grad : ndarray, shape (n,)
    nit : int
        Iterations (accepted line searches), as scipy's ``OptimizeResult.nit``.
    nfev : int
        Objective evaluations.
    status : str
        ``"gtol"``, ``"ftol"`` (converged), ``"max_iter"``, or ``"line_search"`` (no acceptable step, as
        L-BFGS-B's "abnormal termination in line search").
    """

    x: np.ndarray
    fun: float
    grad: np.ndarray
    nit: int
    nfev: int
    status: str

    @property
    def converged(self) -> bool:
        return self.status in ("gtol", "ftol")


def lbfgs(fun_grad: Any, x0: np.ndarray, *, gtol: float, max_iter: int, ftol: float = FTOL,
          memory: int = MEMORY, max_line_search: int = MAX_LINE_SEARCH) -> LbfgsResult:
    """Minimize a smooth function without bounds, as scipy's L-BFGS-B does when no variable is bounded.

    Parameters
    ----------
    fun_grad : callable, ``x -> (f, g)``
        It may also offer ``line(x, d)``: an object whose call ``(stp) -> (f, g'd)`` evaluates the function and
        its slope at ``x + stp d``, and whose ``accept()`` returns the point of its last call and the full
        gradient there, so that a line search's rejected trials need no gradient (see
        :class:`SparseLogisticObjective`).
    x0 : ndarray of float64, shape (n,)
    gtol : float
        Stop when ``max |g| <= gtol`` (L-BFGS-B's projected gradient test without bounds).
    max_iter : int
    ftol : float
        Stop when ``(f_old - f) / max(|f_old|, |f|, 1) <= ftol``.
    memory : int
        Correction pairs kept.
    max_line_search : int
        Objective evaluations per line search before it counts as failed.
    """
    dcsrch = _line_search_class()
    x = np.array(x0, dtype=float)
    f, g = fun_grad(x)
    nfev = 1
    pairs = _CompactMemory(len(x), memory)
    nit = 0
    if _inf_norm(g) <= gtol:
        return LbfgsResult(x, f, g, 0, nfev, "gtol")
    while True:
        if nit >= max_iter:
            return LbfgsResult(x, f, g, nit, nfev, "max_iter")
        d = pairs.direction(g)
        gd = float(g @ d)
        if not gd < 0:  # not a descent direction: L-BFGS-B drops its memory and restarts along -g
            if not len(pairs):
                return LbfgsResult(x, f, g, nit, nfev, "line_search")
            pairs.reset()
            continue
        stp = min(1.0 / float(np.sqrt(d @ d)), 1e10) if nit == 0 and not len(pairs) else 1.0
        search = dcsrch(None, None, ftol=1e-3, gtol=0.9, xtol=0.1, stpmin=0.0, stpmax=1e10)
        task = b"START"
        stp, _, _, task = search._iterate(stp, f, gd, task)
        line = fun_grad.line(x, d) if hasattr(fun_grad, "line") else _Line(fun_grad, x, d)
        f_new, evals = f, 0
        while task[:2] == b"FG" and evals < max_line_search:
            f_new, slope = line(stp)
            nfev += 1
            evals += 1
            if not np.isfinite(f_new):
                break
            stp, _, _, task = search._iterate(stp, f_new, slope, task)
        accepted = task[:4] in (b"CONV", b"WARN") and evals > 0 and np.isfinite(f_new)
        if accepted:  # the accepted step is the last one evaluated
            x_new, g_new = line.accept()
        if not accepted:
            if not len(pairs):  # already along -g: nothing left to try (L-BFGS-B's abnormal termination)
                return LbfgsResult(x, f, g, nit, nfev, "line_search")
            pairs.reset()
            continue
        nit += 1
        f_old, x_old, g_old = f, x, g
        x, f, g = x_new, f_new, g_new
        if _inf_norm(g) <= gtol:
            return LbfgsResult(x, f, g, nit, nfev, "gtol")
        if f_old - f <= ftol * max(abs(f_old), abs(f), 1.0):
            return LbfgsResult(x, f, g, nit, nfev, "ftol")
        pairs.add(x, x_old, g, g_old, min_curvature=_EPS * (-gd * stp))


def _inf_norm(v: np.ndarray) -> float:
    """``max |v_i|`` (0 for an empty vector) without a temporary array."""
    return max(float(v.max()), -float(v.min()), 0.0) if v.size else 0.0


class _Line:
    """A line search's trials through ``fun_grad`` itself (one full evaluation per trial)."""

    def __init__(self, fun_grad: Any, x: np.ndarray, d: np.ndarray):
        self.fun_grad, self.x, self.d = fun_grad, x, d
        self.g: np.ndarray | None = None

    def __call__(self, stp: float) -> tuple[float, float]:
        self.x_new = self.x + stp * self.d
        f, self.g = self.fun_grad(self.x_new)
        return f, float(self.g @ self.d)

    def accept(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_new, self.g


class _CompactMemory:
    """The last ``m`` correction pairs, and the L-BFGS direction from them in compact form.

    The direction is ``-H g`` with Byrd, Nocedal & Schnabel's (1994) compact inverse BFGS matrix (H0 = gamma I,
    gamma = s'y / y'y of the newest pair, as L-BFGS-B's 1 / theta): the same matrix as the two-loop recursion.
    At 10^5-10^6 parameters an iteration's cost is memory traffic over the stored pairs: the two-loop recursion
    reads them four times (4m dot products and vector updates); here ``S g``, ``Y g`` and ``S' u + Y' v`` read
    them twice, and the products a new pair needs with the held ones come from those of the previous
    direction (``s_i' y_new = s_i' g_new - s_i' g_old``). The pairs are stored in float32 (half the traffic
    again); each new pair's own ``s'y`` and ``y'y`` (the curvature test, gamma and the diagonal) are float64.
    Pairs live in a ring of rows; the oldest is overwritten.
    """

    def __init__(self, n: int, m: int):
        self.m = m
        self.S = np.empty((m, n), dtype=np.float32)
        self.Y = np.empty((m, n), dtype=np.float32)
        self.SY = np.zeros((m, m))  # SY[i, j] = s_i' y_j (slots)
        self.YY = np.zeros((m, m))
        self.count = 0  # pairs added since the last reset (the next slot is count % m)
        self.k = 0  # pairs held
        self.fresh: int | None = None  # slot of a pair added since the last direction (its products pending)
        self.sg = self.yg = None  # S g, Y g of the last direction's g, per slot

    def __len__(self) -> int:
        return self.k

    def reset(self) -> None:
        self.count = self.k = 0
        self.fresh = None

    def _order(self) -> np.ndarray:
        """Slots from the oldest pair to the newest."""
        return (self.count - self.k + np.arange(self.k)) % self.m

    def add(self, x: np.ndarray, x_old: np.ndarray, g: np.ndarray, g_old: np.ndarray, *,
            min_curvature: float) -> None:
        """Store ``s = x - x_old``, ``y = g - g_old`` unless ``s'y <= min_curvature`` (L-BFGS-B skips those).

        ``g_old`` must be the gradient the last :meth:`direction` was computed at.
        """
        s, y = x - x_old, g - g_old
        sy = float(s @ y)
        if not sy > min_curvature:
            return
        slot = self.count % self.m
        self.S[slot], self.Y[slot] = s, y
        self.SY[slot, slot], self.YY[slot, slot] = sy, float(y @ y)
        self.count += 1
        self.k = min(self.k + 1, self.m)
        self.fresh = slot

    def direction(self, g: np.ndarray) -> np.ndarray:
        if self.k == 0:
            return -g
        rows = self.k if self.k < self.m else self.m  # while filling, slots 0..k-1; then all of them
        S, Y = self.S[:rows], self.Y[:rows]
        g32 = g.astype(np.float32)
        sg, yg = (S @ g32).astype(np.float64), (Y @ g32).astype(np.float64)
        used = self._order()
        if self.fresh is not None:
            new = self.fresh
            old = used[used != new]
            if len(old):  # products of the held pairs with the new y, from this g and the last one
                self.SY[old, new] = sg[old] - self.sg[old]
                yy = yg[old] - self.yg[old]
                self.YY[old, new] = yy
                self.YY[new, old] = yy
            self.fresh = None
        self.sg, self.yg = sg, yg
        R = np.triu(self.SY[np.ix_(used, used)])
        newest = used[-1]
        gamma = self.SY[newest, newest] / self.YY[newest, newest]
        a, b = sg[used], yg[used]
        r = solve_triangular(R, a)
        v = solve_triangular(R, np.diag(R) * r + gamma * (self.YY[np.ix_(used, used)] @ r) - gamma * b, trans="T")
        coef_s, coef_y = np.zeros(rows, dtype=np.float32), np.zeros(rows, dtype=np.float32)
        coef_s[used], coef_y[used] = -v, gamma * r
        d32 = S.T @ coef_s
        d32 += Y.T @ coef_y
        d = d32.astype(np.float64)
        d -= gamma * g
        return d


def _add_product(A: sp.csr_matrix, B: np.ndarray, out: np.ndarray) -> None:
    """``out += A @ B`` for CSR ``A`` and C-contiguous float64 ``B``, ``out``, without a temporary.

    scipy's sparse kernel accumulates into its output, so the product lands in place (the gradient's buffer);
    the kernel is scipy's private ``_sparsetools.csr_matvecs``, behind ``A @ B`` when it is not there.
    """
    if _csr_matvecs is None:
        out += A @ B
        return
    _csr_matvecs(A.shape[0], A.shape[1], B.shape[1], A.indptr, A.indices, A.data, B.ravel(), out.ravel())


try:
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # a private module: ``A @ B`` does the same with a temporary
    _csr_matvecs = None


class SparseLogisticObjective:
    """scikit-learn's penalized logistic loss and gradient on a CSR matrix (see the module docstring).

    Parameters are flattened as ``[W.ravel(), b]`` with ``W`` of shape (n_features, n_rows_of_coef) (features
    first, so that ``X @ W`` is one sparse product with a few dense columns); ``n_rows_of_coef`` is 1 for two
    classes (binomial, the positive class is the second) and ``n_classes`` otherwise.
    """

    def __init__(self, X: sp.csr_matrix, y: np.ndarray, n_classes: int, C: float, sample_weight: np.ndarray):
        self.X = X
        self.XT = X.T.tocsr()  # the gradient's product X^T R as a CSR product too (faster than CSC here)
        self.XT32 = self.XT.astype(np.float32)
        self.X32 = X.astype(np.float32)
        self.n_features = X.shape[1]
        self.k = 1 if n_classes == 2 else n_classes
        self.sw = np.asarray(sample_weight, dtype=float)
        self.sw_sum = float(self.sw.sum())
        self.l2 = 1.0 / (C * self.sw_sum)
        self.w = self.sw / self.sw_sum
        self.held_scores: tuple[np.ndarray, np.ndarray] | None = None  # (theta, X W + b) of the last accepted step
        if self.k == 1:
            self.target = (y == 1).astype(float)
        else:
            self.y = y
            self.onehot = np.zeros((len(y), self.k))
            self.onehot[np.arange(len(y)), y] = 1.0

    @property
    def size(self) -> int:
        return (self.n_features + 1) * self.k

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.k
        return theta[:-k].reshape(self.n_features, k), theta[-k:]

    def _data_loss(self, raw: np.ndarray) -> tuple[float, np.ndarray]:
        """The weighted mean log loss at scores ``raw`` (n_rows, k), and its derivative per score (residuals)."""
        if self.k == 1:
            z = raw[:, 0]
            # log(1 + e^z) - y z, computed stably
            loss = float(self.w @ (-log_expit(-z) - self.target * z))
            return loss, (self.w * (expit(z) - self.target))[:, None]
        top = raw.max(axis=1, keepdims=True)
        proba = np.exp(raw - top)
        total = proba.sum(axis=1, keepdims=True)
        lse = np.log(total[:, 0]) + top[:, 0]
        loss = float(self.w @ (lse - raw[np.arange(len(self.y)), self.y]))
        proba /= total
        proba -= self.onehot
        proba *= self.w[:, None]
        return loss, proba

    def _gradient(self, theta: np.ndarray, resid: np.ndarray) -> np.ndarray:
        W, _ = self.split(theta)
        grad = np.empty_like(theta)
        grad_w = grad[:-self.k].reshape(W.shape)
        data_part = np.zeros(W.shape, dtype=np.float32)
        _add_product(self.XT32, np.ascontiguousarray(resid, dtype=np.float32), data_part)
        np.multiply(W, self.l2, out=grad_w)
        grad_w += data_part
        grad[-self.k:] = resid.sum(axis=0)
        return grad

    def slope_scores(self, d: np.ndarray) -> np.ndarray:
        """``X D + d_b`` for a direction ``d``, the product in float32 (see :class:`_LogisticLine`)."""
        D, db = self.split(d)
        raw = np.zeros((self.X.shape[0], self.k), dtype=np.float32)
        _add_product(self.X32, np.ascontiguousarray(D, dtype=np.float32), raw)
        out = raw.astype(np.float64)
        out += db
        return out

    def scores(self, theta: np.ndarray) -> np.ndarray:
        """``X W + b``, shape (n_rows, k)."""
        W, b = self.split(theta)
        raw = np.empty((self.X.shape[0], self.k))
        raw[:] = b
        _add_product(self.X, W, raw)
        return raw

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss, resid = self._data_loss(self.scores(theta))
        w_flat = theta[:-self.k]
        return loss + 0.5 * self.l2 * float(w_flat @ w_flat), self._gradient(theta, resid)

    def line(self, theta: np.ndarray, d: np.ndarray) -> _LogisticLine:
        """The objective along ``theta + stp d``: scores move linearly, so one product ``X d`` serves every trial."""
        held = self.held_scores
        raw = held[1] if held is not None and held[0] is theta else self.scores(theta)
        return _LogisticLine(self, theta, d, raw)


class _LogisticLine:
    """Trials of a line search on :class:`SparseLogisticObjective` (see :func:`lbfgs`'s ``fun_grad``).

    Scores at ``theta + stp d`` are ``X W + b + stp (X D + d_b)``; the slope is ``<residuals, X D + d_b>`` plus the
    penalty's; the full gradient (one product ``X' residuals``) is formed only for the accepted step, whose scores
    the next line starts from. ``X D`` is a float32 product: the carried scores then differ from ``X W + b`` by
    about 1e-7 (relative) per step, tens of steps per fit, far below what the 1e-4 tolerance resolves; the
    function along each line and its slope come from the same scores, so the line search sees one consistent
    function.
    """

    def __init__(self, obj: SparseLogisticObjective, theta: np.ndarray, d: np.ndarray, raw: np.ndarray):
        self.obj, self.theta, self.d = obj, theta, d
        self.raw0 = raw
        self.raw: np.ndarray | None = None
        dw = d[:-obj.k]
        self.slope_raw = obj.slope_scores(d)  # X D + d_b
        w = theta[:-obj.k]
        self.ww, self.wd, self.dd = float(w @ w), float(w @ dw), float(dw @ dw)
        self.stp: float | None = None
        self.resid: np.ndarray | None = None

    def __call__(self, stp: float) -> tuple[float, float]:
        obj = self.obj
        self.raw = self.raw0 + stp * self.slope_raw
        loss, self.resid = obj._data_loss(self.raw)
        self.stp = stp
        penalty = 0.5 * obj.l2 * (self.ww + 2 * stp * self.wd + stp * stp * self.dd)
        slope = float(np.vdot(self.resid, self.slope_raw)) + obj.l2 * (self.wd + stp * self.dd)
        return loss + penalty, slope

    def accept(self) -> tuple[np.ndarray, np.ndarray]:
        theta = self.theta + self.stp * self.d
        self.obj.held_scores = (theta, self.raw)
        return theta, self.obj._gradient(theta, self.resid)


def fit_sparse_logistic(X: sp.csr_matrix, y: np.ndarray, n_classes: int, *, C: float, tol: float, max_iter: int,
                        sample_weight: np.ndarray, coef_init: np.ndarray | None = None,
                        intercept_init: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, LbfgsResult]:
    """Fit the penalized logistic regression on CSR ``X`` and class codes ``y`` (0..n_classes-1).

    Returns
    -------
    coef : ndarray, shape (1 or n_classes, n_features)
        In scikit-learn's layout (``coef_``).
    intercept : ndarray, shape (1 or n_classes,)
    result : LbfgsResult
    """
    X = sp.csr_matrix(X, dtype=np.float64)  # float32 storage: products in float64, as scikit-learn's lbfgs does
    obj = SparseLogisticObjective(X, np.asarray(y), n_classes, C, sample_weight)
    theta0 = np.zeros(obj.size)
    if coef_init is not None:
        theta0[:-obj.k] = np.asarray(coef_init, dtype=float).T.ravel()
        theta0[-obj.k:] = np.asarray(intercept_init, dtype=float)
    res = lbfgs(obj, theta0, gtol=tol, max_iter=max_iter)
    W, b = obj.split(res.x)
    return np.ascontiguousarray(W.T), b.copy(), res
