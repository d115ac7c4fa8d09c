"""Tests of the NumPy core: parameter layout, initialisation, forward/backward, optimizers.

The backward pass is checked against central finite differences of the objective itself,
for every hidden activation and every loss/output pair, so a wrong derivative anywhere
(activation, canonical ``A - Y`` shortcut, weighting, L2 term) shows up as a relative error
far above the 1e-6 threshold. The other tests pin the pieces that must match scikit-learn
exactly for ``random_state`` and the optimizers to reproduce its models.
"""

import warnings

import numpy as np
import pytest
import threadpoolctl
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.neural_network._multilayer_perceptron import _pack
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sknumpy_nn import NumpyMLPRegressor, _network, _optimizers
from sknumpy_nn._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, log_output
from sknumpy_nn._losses import LOSSES, weighted_loss_sum
from sknumpy_nn._network import Network, n_parameters, unpack
from sknumpy_nn._optimizers import SGD, Adam

ACTIVATIONS = sorted(HIDDEN_ACTIVATIONS)
HIDDEN = [3, 4, 3]  # n_features, then two hidden layers: both backward branches are used
N_SAMPLES = 7

# (loss, n_outputs): every loss single- and multi-output where that means something; the
# softmax log-loss needs at least 3 classes, binary_log_loss with several outputs is the
# multilabel case.
LOSS_CASES = [
    ("squared_error", 1),
    ("squared_error", 3),
    ("poisson", 1),
    ("poisson", 3),
    ("log_loss", 3),
    ("log_loss", 4),
    ("binary_log_loss", 1),
    ("binary_log_loss", 3),
]


def make_targets(loss, n_samples, n_outputs, rng):
    """Targets valid for ``loss``: real, non-negative counts, one-hot, or 0/1."""
    if loss == "squared_error":
        return rng.normal(size=(n_samples, n_outputs))
    if loss == "poisson":
        # Zeros included on purpose: xlogy(0, .) is the delicate term.
        return rng.poisson(1.5, size=(n_samples, n_outputs)).astype(float)
    if loss == "log_loss":
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    return rng.randint(2, size=(n_samples, n_outputs)).astype(float)


def make_problem(activation, loss, n_outputs, seed=0):
    # Separate streams, and the hidden layers are drawn before the output layer: the hidden
    # pre-activations (whose distance from relu's kink matters) do not depend on the loss.
    network = Network([*HIDDEN, n_outputs], activation, loss, np.float64)
    network.initialize(np.random.RandomState(seed))
    rng = np.random.RandomState(seed + 1000)
    X = rng.normal(size=(N_SAMPLES, HIDDEN[0]))
    Y = make_targets(loss, N_SAMPLES, n_outputs, rng)
    return network, X, Y


def hidden_pre_activations(network, X):
    """Pre-activations of the hidden layers, recomputed independently of the package."""
    A, pre = X, []
    activation = HIDDEN_ACTIVATIONS[network.activation].forward
    for W, b in zip(network.coefs[:-1], network.intercepts[:-1]):
        Z = A @ W + b
        pre.append(Z.copy())
        activation(Z)
        A = Z
    return pre


def finite_difference_gradient(network, X, Y, sample_weight, alpha, h=1e-6):
    params = network.params
    fd = np.empty_like(params)
    for i in range(params.size):
        original = params[i]
        params[i] = original + h
        f_plus = network.loss_and_gradient(X, Y, sample_weight, alpha)
        params[i] = original - h
        f_minus = network.loss_and_gradient(X, Y, sample_weight, alpha)
        params[i] = original
        fd[i] = (f_plus - f_minus) / (2 * h)
    return fd


@pytest.mark.parametrize("use_weights", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("alpha", [0.0, 0.3], ids=["alpha0", "alpha0.3"])
@pytest.mark.parametrize(("loss", "n_outputs"), LOSS_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_matches_finite_differences(activation, loss, n_outputs, alpha, use_weights):
    network, X, Y = make_problem(activation, loss, n_outputs)
    sample_weight = None
    if use_weights:
        # One zero weight: such rows must drop out of the gradient as they drop out of the loss.
        sample_weight = np.random.RandomState(1).uniform(0.2, 2.0, size=N_SAMPLES)
        sample_weight[2] = 0.0
    if activation == "relu":
        # Central differences across a kink measure neither one-sided slope; with a margin
        # of 1e-4 and steps of 1e-6 no pre-activation crosses zero.
        margin = min(np.abs(Z).min() for Z in hidden_pre_activations(network, X))
        assert margin > 1e-4, "seed puts a relu pre-activation on its kink; pick another"
        # Both relu branches must be exercised, or the check would miss a wrong slope.
        pre = np.concatenate([Z.ravel() for Z in hidden_pre_activations(network, X)])
        assert (pre < 0).any() and (pre > 0).any()

    loss_value = network.loss_and_gradient(X, Y, sample_weight, alpha)
    gradient = network.grad.copy()
    fd = finite_difference_gradient(network, X, Y, sample_weight, alpha)

    assert np.isfinite(loss_value)
    assert np.linalg.norm(gradient) > 1e-3  # a zero gradient would pass trivially
    relative_error = np.linalg.norm(gradient - fd) / max(
        np.linalg.norm(gradient), np.linalg.norm(fd)
    )
    assert relative_error < 1e-6


def test_smaller_batch_after_a_larger_one_gives_a_fresh_result():
    # The training buffers are sized for the largest batch seen and sliced for smaller
    # ones (the last minibatch); a stale row must not leak into the smaller batch's result.
    network, X, Y = make_problem("tanh", "squared_error", 2)
    network.loss_and_gradient(X, Y, None, 0.1)
    small_loss = network.loss_and_gradient(X[:3], Y[:3], None, 0.1)
    small_grad = network.grad.copy()

    fresh = Network(network.layer_sizes, "tanh", "squared_error", np.float64)
    fresh.params[...] = network.params
    assert small_loss == fresh.loss_and_gradient(X[:3], Y[:3], None, 0.1)
    assert_array_equal(small_grad, fresh.grad)


# --------------------------------------------------------------------------- layout


def test_n_parameters_counts_weights_and_biases():
    assert n_parameters([3, 4, 2]) == 3 * 4 + 4 * 2 + 4 + 2
    assert n_parameters([5, 1]) == 6


def test_unpack_puts_coefs_first_then_intercepts():
    sizes = [3, 4, 2]
    flat = np.arange(n_parameters(sizes), dtype=float)
    coefs, intercepts = unpack(flat, sizes)

    assert [W.shape for W in coefs] == [(3, 4), (4, 2)]
    assert [b.shape for b in intercepts] == [(4,), (2,)]
    assert_array_equal(coefs[0], np.arange(12).reshape(3, 4))
    assert_array_equal(coefs[1], np.arange(12, 20).reshape(4, 2))
    assert_array_equal(intercepts[0], [20, 21, 22, 23])
    assert_array_equal(intercepts[1], [24, 25])
    # scikit-learn's L-BFGS packing is the same layout, so flat vectors are interchangeable.
    assert_array_equal(_pack(coefs, intercepts), flat)


def test_unpack_returns_views_sharing_memory_with_the_flat_vector():
    sizes = [3, 4, 2]
    flat = np.zeros(n_parameters(sizes))
    coefs, intercepts = unpack(flat, sizes)
    for view in coefs + intercepts:
        assert np.shares_memory(view, flat)

    # Optimizers step the flat vector; the per-layer arrays must see it, and vice versa.
    flat += 1.0
    assert all((view == 1.0).all() for view in coefs + intercepts)
    coefs[1][2, 1] = 7.0
    intercepts[0][3] = 9.0
    assert flat[12 + 2 * 2 + 1] == 7.0
    assert flat[20 + 3] == 9.0


def test_network_gradient_views_share_memory_with_grad():
    network = Network([3, 4, 2], "relu", "squared_error", np.float64)
    for view in network.coef_grads + network.intercept_grads:
        assert np.shares_memory(view, network.grad)
    for view in network.coefs + network.intercepts:
        assert np.shares_memory(view, network.params)
    assert network.params.size == network.grad.size == n_parameters([3, 4, 2])


def test_load_copies_into_the_flat_vector_and_rejects_wrong_shapes():
    network = Network([3, 4, 2], "relu", "squared_error", np.float64)
    rng = np.random.RandomState(0)
    coefs = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    intercepts = [rng.normal(size=4), rng.normal(size=2)]
    network.load(coefs, intercepts)
    assert_array_equal(network.params, _pack(coefs, intercepts))

    with pytest.raises(ValueError, match="shape"):
        network.load([np.zeros((3, 5)), coefs[1]], intercepts)


# --------------------------------------------------------------------------- initialisation


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_initialize_draws_exactly_what_sklearn_draws(activation, dtype):
    sizes = [5, 7, 3, 2]
    network = Network(sizes, activation, "squared_error", dtype)
    network.initialize(np.random.RandomState(42))

    # The formula, written out: per layer, weights then biases, float64 draws then a cast.
    rng = np.random.RandomState(42)
    factor = 2.0 if activation == "logistic" else 6.0
    for (fan_in, fan_out), W, b in zip(
        zip(sizes[:-1], sizes[1:]), network.coefs, network.intercepts
    ):
        bound = np.sqrt(factor / (fan_in + fan_out))
        assert_array_equal(W, rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        assert_array_equal(b, rng.uniform(-bound, bound, fan_out).astype(dtype))
        assert np.abs(W).max() <= bound

    # And scikit-learn's own initialiser, driven by the same stream.
    sk = MLPRegressor(activation=activation)
    sk._random_state = np.random.RandomState(42)
    for (fan_in, fan_out), W, b in zip(
        zip(sizes[:-1], sizes[1:]), network.coefs, network.intercepts
    ):
        coef, intercept = sk._init_coef(fan_in, fan_out, dtype)
        assert W.dtype == coef.dtype == dtype
        assert_array_equal(W, coef)
        assert_array_equal(b, intercept)


# --------------------------------------------------------------------------- loss values


@pytest.mark.parametrize("use_weights", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    ("loss", "n_outputs"),
    [
        ("squared_error", 1),
        ("poisson", 1),
        ("poisson", 3),
        ("log_loss", 3),
        ("binary_log_loss", 1),
        ("binary_log_loss", 3),
    ],
    ids=lambda v: str(v),
)
def test_objective_equals_sklearn_loss_plus_penalty(loss, n_outputs, use_weights):
    # Multi-output squared error is left out: it is a deliberate difference, tested below.
    network, X, Y = make_problem("tanh", loss, n_outputs, seed=3)
    sample_weight = np.random.RandomState(4).uniform(0.5, 2, N_SAMPLES) if use_weights else None
    alpha = 0.2

    ours = network.loss_and_gradient(X, Y, sample_weight, alpha)

    output = _network.predict(
        X, network.coefs, network.intercepts, "tanh", network.loss.output_activation
    )
    weight_sum = N_SAMPLES if sample_weight is None else sample_weight.sum()
    penalty = 0.5 * alpha * sum((W**2).sum() for W in network.coefs) / weight_sum
    assert ours == pytest.approx(LOSS_FUNCTIONS[loss](Y, output, sample_weight) + penalty)


def test_multioutput_squared_error_is_summed_over_outputs():
    # Deliberate difference: sklearn reports the mean over outputs while back-propagating
    # A - Y, the gradient of the sum; here the value and the gradient are the same function.
    network, X, Y = make_problem("relu", "squared_error", 3, seed=5)
    ours = network.loss_and_gradient(X, Y, None, 0.0)
    output = _network.predict(X, network.coefs, network.intercepts, "relu", "identity")

    assert ours == pytest.approx(0.5 * ((output - Y) ** 2).sum(axis=1).mean())
    assert ours == pytest.approx(3 * LOSS_FUNCTIONS["squared_error"](Y, output))


def test_weighted_loss_sum_ignores_zero_weight_rows():
    loss = LOSSES["squared_error"]
    Y = np.array([[0.0], [1.0], [2.0]])
    A = np.array([[1.0], [1.0], [100.0]])
    weights = np.array([1.0, 1.0, 0.0])
    assert weighted_loss_sum(loss, Y, A, A - Y, weights) == pytest.approx(0.5)


def test_gradient_accumulated_over_row_blocks_equals_one_pass():
    # L-BFGS works through the rows in blocks; the sum over blocks is the same objective.
    network, X, Y = make_problem("tanh", "squared_error", 2, seed=3)
    weights = np.random.RandomState(3).uniform(0.5, 2.0, len(X))
    whole = network.loss_and_gradient(X, Y, weights, 0.1)
    whole_grad = network.grad.copy()
    blocked = network.loss_and_gradient(X, Y, weights, 0.1, block_rows=3)
    assert blocked == pytest.approx(whole, rel=1e-12)
    assert_allclose(network.grad, whole_grad, rtol=1e-12, atol=1e-15)


def test_log_losses_clip_saturated_probabilities_to_finite_values():
    # A confident wrong answer costs -log(eps), as in sklearn, not inf.
    eps = np.finfo(np.float64).eps
    Y = np.array([[1.0, 0.0, 0.0]])
    A = np.array([[0.0, 1.0, 0.0]])
    assert LOSSES["log_loss"].sample_loss(Y, A, A - Y)[0] == pytest.approx(-np.log(eps))
    Yb, Ab = np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]])
    binary = LOSSES["binary_log_loss"].sample_loss(Yb, Ab, Ab - Yb)
    assert_allclose(binary, -np.log(eps), rtol=1e-6)


# --------------------------------------------------------------------------- extreme inputs

EXTREME = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4], [1e4, 1e4 - 1, -1e4]])


def no_floating_point_trouble():
    """Overflow, invalid and division by zero raise; underflow to 0 is the right answer."""
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")


@pytest.mark.parametrize("name", ["softmax", "logistic", "exp"])
def test_output_activations_are_finite_and_silent_on_extreme_inputs(name):
    Z = EXTREME.copy()
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        OUTPUT_ACTIVATIONS[name](Z)
    assert np.isfinite(Z).all()
    if name == "softmax":
        assert_allclose(Z.sum(axis=1), 1.0)
        assert_allclose(Z[0], [1.0, 0.0, 0.0])
        assert_allclose(Z[3, :2], [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))])
    elif name == "logistic":
        assert ((Z >= 0) & (Z <= 1)).all()
        assert Z[0, 2] == 0.5
    else:
        assert (Z >= 0).all()
        # Capped far beyond any count, yet a square of it is still finite.
        assert np.isfinite(Z.max() ** 2)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_hidden_activations_are_finite_and_silent_on_extreme_inputs(name):
    Z = EXTREME.copy()
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        HIDDEN_ACTIVATIONS[name].forward(Z)
    assert np.isfinite(Z).all()


@pytest.mark.parametrize("name", ["softmax", "logistic"])
def test_log_output_is_finite_and_matches_log_of_output(name):
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        log_A = log_output(EXTREME, name)
    assert np.isfinite(log_A).all()
    # Where the output itself is not rounded to 0, the log agrees with log(output).
    Z = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -3.0]])
    log_moderate = log_output(Z, name)
    A = Z.copy()
    OUTPUT_ACTIVATIONS[name](A)
    assert_allclose(log_moderate, np.log(A), rtol=1e-12)
    assert log_output(np.array([[-1e4, 0.0]]), name)[0, 0] < -9e3  # not clipped to log(eps)


def test_log_output_rejects_other_activations():
    with pytest.raises(ValueError, match="identity"):
        log_output(EXTREME, "identity")


@pytest.mark.parametrize(("loss", "n_outputs"), LOSS_CASES, ids=lambda v: str(v))
def test_objective_is_finite_and_silent_for_huge_inputs(loss, n_outputs):
    # Inputs of 1e4 saturate every output; training must see a large finite loss and a
    # finite gradient, not inf/NaN and a RuntimeWarning.
    network, X, Y = make_problem("tanh", loss, n_outputs, seed=6)
    if loss == "poisson":
        Y = np.minimum(Y, 3.0)  # larger counts: test_poisson_loss_finite_when_exp_underflows
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        value = network.loss_and_gradient(X * 1e4, Y, None, 1e-3)
    assert np.isfinite(value)
    assert np.isfinite(network.grad).all()


def test_poisson_loss_finite_when_exp_underflows():
    # A half Poisson deviance written as y * log(y / A) overflows (y / tiny) once the
    # prediction underflows to 0. The exact value y*log(y) - y*z - y + exp(z) is about 4003
    # here; at the floor (z ~ -708) about 3545: large, finite, no warning.
    Z = np.array([[-800.0]])
    A = Z.copy()
    OUTPUT_ACTIVATIONS["exp"](A)  # underflows to 0
    Y = np.array([[5.0]])
    with warnings.catch_warnings(), no_floating_point_trouble():
        warnings.simplefilter("error")
        value = LOSSES["poisson"].sample_loss(Y, A, A - Y)
    assert np.isfinite(value).all()
    assert value[0] > 3500


# --------------------------------------------------------------------------- optimizers


def random_gradients(n_params, n_steps, seed):
    rng = np.random.RandomState(seed)
    return [rng.normal(scale=rng.uniform(0.01, 10), size=n_params) for _ in range(n_steps)]


@pytest.mark.parametrize(
    ("momentum", "nesterov"), [(0.0, False), (0.9, False), (0.9, True), (0.5, True)]
)
@pytest.mark.parametrize("schedule", ["constant", "invscaling"])
def test_sgd_steps_equal_sklearn_sgd_optimizer(momentum, nesterov, schedule):
    n_params = 11
    start = np.random.RandomState(0).normal(size=n_params)
    ours_params = start.copy()
    sk_param = start.copy()
    ours = SGD(n_params, np.float64, 0.05, schedule, momentum, nesterov, 0.5)
    sk = SGDOptimizer([sk_param], 0.05, schedule, momentum, nesterov, 0.5)

    for step, grad in enumerate(random_gradients(n_params, 6, seed=1)):
        ours.step(ours_params, grad)
        sk.update_params([sk_param], [grad])
        ours.end_epoch(10 * (step + 1))
        sk.iteration_ends(10 * (step + 1))
        assert ours.learning_rate == sk.learning_rate
        assert_allclose(ours_params, sk_param, rtol=1e-14, atol=1e-15)
    # The steps moved the parameters: equality is not of two no-ops.
    assert not np.allclose(ours_params, start)


def test_sgd_adaptive_schedule_divides_by_five_then_stops_like_sklearn():
    ours = SGD(3, np.float64, 1e-4, "adaptive", 0.9, True, 0.5)
    sk = SGDOptimizer([np.zeros(3)], 1e-4, "adaptive", 0.9, True, 0.5)
    for _ in range(5):
        stop, _message = ours.on_plateau()
        assert stop == sk.trigger_stopping("", verbose=False)
        assert ours.learning_rate == sk.learning_rate
    assert stop  # 1e-4 / 5**3 < 1e-6, so it eventually stops
    assert SGD(3, np.float64, 1e-3, "constant", 0.9, True, 0.5).on_plateau()[0]


@pytest.mark.parametrize(("beta_1", "beta_2", "epsilon"), [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3)])
def test_adam_steps_equal_sklearn_adam_optimizer(beta_1, beta_2, epsilon):
    n_params = 13
    start = np.random.RandomState(0).normal(size=n_params)
    ours_params = start.copy()
    sk_param = start.copy()
    ours = Adam(n_params, np.float64, 0.01, beta_1, beta_2, epsilon)
    sk = AdamOptimizer([sk_param], 0.01, beta_1, beta_2, epsilon)

    for grad in random_gradients(n_params, 6, seed=2):
        ours.step(ours_params, grad)
        sk.update_params([sk_param], [grad])
        assert ours.state["t"] == sk.t
        assert ours.learning_rate == pytest.approx(sk.learning_rate, rel=1e-15)
        assert_allclose(ours.state["m"], sk.ms[0], rtol=1e-14)
        assert_allclose(ours.state["v"], sk.vs[0], rtol=1e-14)
        assert_allclose(ours_params, sk_param, rtol=1e-14, atol=1e-15)
    assert not np.allclose(ours_params, start)
    assert ours.on_plateau()[0]


def test_optimizer_state_continues_a_run():
    # partial_fit hands the previous state back in: two half runs equal one whole run.
    grads = random_gradients(5, 4, seed=3)
    whole = np.zeros(5)
    adam = Adam(5, np.float64, 0.01, 0.9, 0.999, 1e-8)
    for g in grads:
        adam.step(whole, g)

    halves = np.zeros(5)
    first = Adam(5, np.float64, 0.01, 0.9, 0.999, 1e-8)
    for g in grads[:2]:
        first.step(halves, g)
    second = Adam(5, np.float64, 0.01, 0.9, 0.999, 1e-8, state=first.state)
    for g in grads[2:]:
        second.step(halves, g)
    assert_array_equal(halves, whole)


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
@pytest.mark.parametrize("hidden, small", [((256, 256), False), ((4,), True)])
def test_training_holds_scipys_own_blas_to_one_thread(monkeypatch, solver, hidden, small):
    # scipy's wheels ship their own OpenBLAS (used by L-BFGS-B and the optimizers' axpy);
    # its idle threads spinning beside NumPy's made fits many times slower. During training
    # it must run single-threaded while NumPy's BLAS keeps its threads, unless the products
    # are small enough for one (200 x 3 x 4 here; 200 x 256 x 256 is not, for any solver),
    # and afterwards both are as they were.
    scipy_blas = _optimizers._scipy_own_blas()
    if scipy_blas is None:
        pytest.skip("this scipy uses a BLAS shared with NumPy: nothing to hold back")
    scipy_paths = {lib["filepath"] for lib in scipy_blas.info()}
    seen = []
    real_loss_and_gradient = Network.loss_and_gradient

    def threads():
        return {lib["filepath"]: lib["num_threads"] for lib in threadpoolctl.threadpool_info()}

    def spy(self, *args, **kwargs):
        seen.append(threads())
        return real_loss_and_gradient(self, *args, **kwargs)

    monkeypatch.setattr(Network, "loss_and_gradient", spy)
    before = threads()
    blas_paths = {
        lib["filepath"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"
    }
    X = np.random.RandomState(0).normal(size=(200, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # two iterations on purpose
        NumpyMLPRegressor(hidden_layer_sizes=hidden, solver=solver, max_iter=2).fit(X, X[:, 0])
    assert seen
    for path, count in seen[0].items():
        one_thread = path in scipy_paths or (small and path in blas_paths)
        assert count == (1 if one_thread else before[path])
    assert threads() == before


def test_small_minibatch_products_run_on_one_blas_thread_and_limits_come_back():
    from sknumpy_nn._optimizers import small_products_single_threaded

    def blas_threads():
        return [
            p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"
        ]

    before = blas_threads()
    params = np.zeros(3)
    with small_products_single_threaded([64, 100, 10], 200, params):  # digits: 1.3 Mflop
        assert set(blas_threads()) == {1}
    assert blas_threads() == before
    with small_products_single_threaded([20, 256, 256, 1], 200, params):  # 26 Mflop
        assert blas_threads() == before
    # L-BFGS's 1000-row blocks have their own, higher threshold: 4 Mflop is small there.
    lbfgs = _optimizers.LBFGS_SMALL_PRODUCT_FLOPS
    with small_products_single_threaded([20, 100, 1], 1000, params, lbfgs):
        assert set(blas_threads()) == {1}
    with small_products_single_threaded([100, 100, 1], 1000, params, lbfgs):  # 20 Mflop
        assert blas_threads() == before
    with threadpoolctl.threadpool_limits(1):  # a user's limit is never raised
        with small_products_single_threaded([20, 256, 256, 1], 200, params):
            assert set(blas_threads()) == {1}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_columns", [1, 7, 8, 100])
def test_biases_added_by_blas_are_numpys_sums(dtype, n_columns):
    # Training adds the biases with BLAS's rank-one update (faster than the broadcast add);
    # it must write into the buffer itself and give exactly NumPy's sums, leading-row views
    # (a smaller last batch) included.
    from sknumpy_nn._ops import add_to_rows

    rng = np.random.RandomState(0)
    buffer = rng.normal(size=(300, n_columns)).astype(dtype) * 1e3
    v = rng.normal(size=n_columns).astype(dtype)
    for rows in (300, 123):
        x = buffer[:rows]
        expected = x + v
        add_to_rows(x, v, np.ones(rows, dtype))
        assert_array_equal(x, expected)
    for rows in (300, 128, 50):  # predict's tiles of 64 rows: a remainder, none, too few
        x = buffer[:rows]
        expected = x + v
        add_to_rows(x, v, tile=np.tile(v, (64, 1)))
        assert_array_equal(x, expected)
    transposed = np.asfortranarray(buffer)  # not C-ordered: NumPy's add, same result
    expected = transposed + v
    add_to_rows(transposed, v, np.ones(300, dtype))
    assert_array_equal(transposed, expected)


@pytest.mark.parametrize("shape", [(200, 10), (5, 3), (50, 64), (1, 1)])
def test_row_max_is_numpys(shape):
    from sknumpy_nn._ops import row_max

    x = np.random.RandomState(0).normal(size=shape)
    x[0, -1] = -np.inf
    assert_array_equal(row_max(x), x.max(axis=1, keepdims=True))
    assert row_max(x).shape == (shape[0], 1)


def test_predict_with_bias_tiles_gives_the_same_numbers(monkeypatch):
    from sknumpy_nn import _network

    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 12))
    model = NumpyMLPRegressor(hidden_layer_sizes=(30, 9), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, X[:, 0])
    tiled = model.predict(X)
    monkeypatch.setattr(_network, "BIAS_TILE_ROWS", 10**9)  # no tiles: the broadcast add
    assert_array_equal(model.predict(X), tiled)
