"""
Training from a memory-mapped file, chunk by chunk
==================================================

:func:`sknumpy_nn.fit_in_chunks` trains a network with ``partial_fit`` on ``chunk_size``
rows at a time, so the data can stay on disk in a :class:`numpy.memmap` and only one chunk
is in memory at once. This example writes a data set to a ``.npy`` file, opens it
read-only, trains on it for a few epochs with a progress bar, and follows the training loss
and the held-out accuracy after every chunk.
"""

# %%
# A three-class problem: 16,000 rows to train on, written to disk, and 4,000 rows kept in
# memory to judge the model on. In practice the file would be written once, by another
# job, and be larger than memory.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.callback import ProgressBar  # draws with rich: pip install ".[progress]"
from sklearn.datasets import make_classification

from sknumpy_nn import NumpyMLPClassifier, fit_in_chunks

X_all, y_all = make_classification(
    n_samples=20000,
    n_features=20,
    n_informative=10,
    n_classes=3,
    class_sep=1.5,
    random_state=0,
)
n_train = 16000
X_test, y_test = X_all[n_train:], y_all[n_train:]


# %%
# A callback sees one task per chunk (its ``task_name`` is ``"chunk"``), with the rows it
# was trained on and, on request, a copy of the model as it stands after that chunk. This
# one counts the rows and scores the copy on the held-out data.
class HeldOutAccuracy:
    def __init__(self, X, y):
        self.X, self.y = X, y
        self.rows, self.accuracy = [], []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None, fitted_estimator=None):
        if context.task_name == "chunk":
            self.rows.append(len(X))
            self.accuracy.append(fitted_estimator.score(self.X, self.y))
        return False  # never ask to stop


# %%
# The file lives in a temporary directory that the ``with`` block removes. The memmaps
# are deleted before the block ends: an open memory map would keep the file in use (on
# Windows the directory could not be removed).
chunk_size, epochs = 2000, 5
held_out = HeldOutAccuracy(X_test, y_test)
model = NumpyMLPClassifier(hidden_layer_sizes=(32,), random_state=0)
model.set_callbacks(ProgressBar(), held_out)
with tempfile.TemporaryDirectory() as folder:
    path_X, path_y = Path(folder) / "X.npy", Path(folder) / "y.npy"
    for path, array in [(path_X, X_all[:n_train]), (path_y, y_all[:n_train])]:
        on_disk = np.lib.format.open_memmap(path, mode="w+", dtype=array.dtype, shape=array.shape)
        on_disk[:] = array
        on_disk.flush()
        del on_disk
    X_train = np.load(path_X, mmap_mode="r")  # read-only: training never writes to it
    y_train = np.load(path_y, mmap_mode="r")
    fit_in_chunks(
        model, X_train, y_train, chunk_size=chunk_size, epochs=epochs, classes=np.unique(y_all)
    )
    n_chunks = -(-len(X_train) // chunk_size)
    del X_train, y_train
accuracy = model.score(X_test, y_test)
print(f"{n_chunks} chunks x {epochs} epochs; held-out accuracy {accuracy:.3f}")

# %%
# Each ``partial_fit`` call is one epoch over its chunk and adds one entry to
# ``loss_curve_``, so the model went through every chunk of every epoch, and every row
# ``epochs`` times.
assert len(model.loss_curve_) == n_chunks * epochs, "one loss per chunk and epoch"
assert held_out.rows == [chunk_size] * (n_chunks * epochs), "every chunk, in full, each epoch"
assert sum(held_out.rows) == epochs * n_train, "every row seen once per epoch"
assert accuracy > 0.9, f"held-out accuracy should exceed 0.9, got {accuracy:.3f}"
assert held_out.accuracy[-1] == accuracy, "the callback's last copy is the final model"

steps = np.arange(1, n_chunks * epochs + 1)
fig, (ax_loss, ax_accuracy) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.plot(steps, model.loss_curve_, ".-")
ax_loss.set_ylabel("training log-loss on the chunk")
ax_loss.set_title("Loss after each chunk's partial_fit")
ax_accuracy.plot(steps, held_out.accuracy, ".-", color="C1")
ax_accuracy.set_ylabel("held-out accuracy (4,000 rows)")
ax_accuracy.set_title(f"Held-out accuracy: {accuracy:.3f} at the end")
for ax in (ax_loss, ax_accuracy):
    for epoch in range(1, epochs):
        ax.axvline(epoch * n_chunks + 0.5, color="grey", lw=0.5, ls=":")
    ax.set_xlabel(f"chunks trained on ({n_chunks} per epoch, epochs dotted)")
fig.tight_layout()
plt.show()
