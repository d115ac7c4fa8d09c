"""The ``verbose`` training log: a header, then one aligned row per epoch or iteration.

::

  Iteration      train loss        val loss   val score  learning rate   seconds
          1      0.63841725      0.59804716    0.712500          0.001     0.002
          2      0.55012968      0.52470217    0.775000          0.001     0.002

The count column is titled ``Iteration`` for epochs and L-BFGS iterations alike, the word
scikit-learn's MLP prints (``Iteration 1, loss = ...``): scripts and tests that look for it
in the output keep working.

The validation columns appear only when there is validation data, the learning-rate column
only for the stochastic solvers. The estimator makes a log only when ``verbose`` is set, so
a quiet fit pays nothing for it.
"""

import time


class TrainingLog:
    """Prints the rows of one training run under a header printed once.

    Parameters
    ----------
    validation : bool
        Show the validation loss and score columns.
    learning_rate : bool
        Show the learning-rate column.
    header : bool, default=True
        Print the header now (``False`` when continuing a log, e.g. a later ``partial_fit``).
    score_title : str, default="val score"
        The validation score's title (the ``scoring`` chosen); its column widens to fit it.
    """

    def __init__(
        self, validation: bool, learning_rate: bool, header: bool = True, score_title=None
    ):
        # (title, row format); every field is as wide as its title's column.
        self._columns = [("Iteration", "{:>11d}"), ("train loss", "{:>16.8g}")]
        if validation:
            title = score_title or "val score"
            width = max(12, len(title) + 2)
            self._columns += [("val loss", "{:>16.8g}"), (title, f"{{:>{width}.6f}}")]
        if learning_rate:
            self._columns.append(("learning rate", "{:>15.6g}"))
        self._columns.append(("seconds", "{:>10.3f}"))
        if header:
            widths = [len(fmt.format(0)) for _, fmt in self._columns]
            print("".join(title.rjust(width) for (title, _), width in zip(self._columns, widths)))
        self._last = time.perf_counter()

    def row(self, step: int, loss: float, *, validation=(), learning_rate=()) -> None:
        """Print one row; the seconds are the time since the previous row (or the start).

        Parameters
        ----------
        step : int
            Epoch (stochastic solvers) or L-BFGS iteration, counted from 1.
        loss : float
            The training loss.
        validation : tuple of (float, float), default=()
            The validation loss and score, when the log has those columns.
        learning_rate : tuple of (float,), default=()
            The learning rate, when the log has that column.
        """
        now = time.perf_counter()
        values = (step, loss, *validation, *learning_rate, now - self._last)
        self._last = now
        print("".join(fmt.format(value) for (_, fmt), value in zip(self._columns, values)))
