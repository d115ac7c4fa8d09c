"""
Choosing the hidden layers with GridSearchCV
============================================

:class:`~sknumpy_nn.NumpyMLPClassifier` is a scikit-learn estimator, so it goes in a
:class:`~sklearn.pipeline.Pipeline` after a :class:`~sklearn.preprocessing.StandardScaler`
and its parameters are tuned by :class:`~sklearn.model_selection.GridSearchCV` like any
other. Here a grid search picks ``hidden_layer_sizes`` on the two-moons problem, and a bar
chart shows the cross-validated accuracy of every candidate.
"""

# %%
# A pipeline and a grid
# ---------------------
# The scaler is fitted on each training fold only, inside the pipeline, so no statistics of
# the held-out fold leak into the scores. The grid runs from a single hidden unit, which can
# draw only an almost straight boundary, to two layers of 16 units. The L2 penalty
# ``alpha=1`` smooths the boundaries, and L-BFGS fits each candidate to convergence.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpy_nn import NumpyMLPClassifier

X, y = make_moons(n_samples=300, noise=0.3, random_state=0)
pipeline = make_pipeline(
    StandardScaler(),
    NumpyMLPClassifier(solver="lbfgs", alpha=1.0, max_iter=2000, random_state=0),
)
grid = [(1,), (2,), (4,), (16,), (32,), (16, 16)]
search = GridSearchCV(pipeline, {"numpymlpclassifier__hidden_layer_sizes": grid}, cv=5)
search.fit(X, y)

results = search.cv_results_
means, stds = results["mean_test_score"], results["std_test_score"]
for sizes, mean, std in zip(grid, means, stds):
    print(f"hidden_layer_sizes={sizes!s:<8} accuracy {mean:.3f} ± {std:.3f}")
best_sizes = search.best_params_["numpymlpclassifier__hidden_layer_sizes"]
print(f"best: {best_sizes} with {search.best_score_:.3f}")

# %%
# The search's choice is the candidate with the highest mean score, and any network with a
# few hidden units beats the single unit, which cannot bend its boundary around the moons.
assert best_sizes in grid, "the best parameters come from the grid"
assert best_sizes == grid[int(np.argmax(means))], "best_params_ is the top mean CV score"
assert search.best_score_ > 0.85, "a small network separates the noisy moons well"
assert search.best_score_ > means[grid.index((1,))] + 0.05, "one hidden unit is too few"

# %%
# Mean cross-validated accuracy per candidate
# -------------------------------------------
# The error bars are one standard deviation over the five folds: beyond four units the
# candidates are within noise of each other, and the search takes the first of the best.
fig, ax = plt.subplots(figsize=(7, 4))
labels = [str(sizes) for sizes in grid]
colors = ["tab:orange" if i == search.best_index_ else "tab:blue" for i in range(len(grid))]
ax.bar(labels, means, yerr=stds, capsize=4, color=colors)
ax.bar([], [], color="tab:orange", label=f"best: {best_sizes}")  # a legend entry only
ax.set(
    xlabel="hidden_layer_sizes",
    ylabel="Mean CV accuracy (± 1 std)",
    ylim=(0.7, 1.0),
    title="GridSearchCV over a StandardScaler + NumpyMLPClassifier pipeline",
)
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
