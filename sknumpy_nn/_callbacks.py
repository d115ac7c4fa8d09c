"""scikit-learn's callback API (``sklearn.callback``) around the training loops.

A fit is one root task with one subtask per epoch (sgd, adam) or per iteration (lbfgs).
Each subtask's end hook gets the data the model is judged on -- the validation data when
there is some, else the training data -- and, lazily, a copy of the estimator holding the
weights reached so far, so ``ScoringMonitor`` can score every epoch. A hook returning True
stops training after that epoch. Nothing is computed unless callbacks are set.
"""

from ._ops import copy


class FitTasks:
    """The callback tasks of one ``fit``.

    Parameters
    ----------
    estimator : BaseNumpyMLP or None
        The estimator being fitted (a ``CallbackSupportMixin``); ``None`` makes inert tasks
        (``partial_fit``: each call is one step of a longer run no single call sees whole).
    task_name : str, default="fit"
        Name of the root task.
    detached : bool, default=False
        The task spans several calls of the estimator's fit methods; call ``teardown()``
        when it ends.
    subtask_name : {"epoch", "iteration"}
        Name of the per-step tasks.
    max_subtasks : int
        Upper bound on the number of steps (``max_iter``, plus one for L-BFGS, whose last
        announced iteration may never run).
    """

    def __init__(
        self,
        estimator=None,
        subtask_name: str = "epoch",
        max_subtasks: int = 0,
        *,
        task_name: str = "fit",
        detached: bool = False,
    ):
        self.estimator = estimator
        self.subtask_name = subtask_name
        self.root = None
        self._to_teardown = []
        if estimator is not None:
            self.root = estimator._init_callback_context(
                task_name=task_name, max_subtasks=max_subtasks
            )
            if detached:
                # A task spanning several fit calls (fit_in_chunks over partial_fit): the
                # estimator must not hold the context, or the first partial_fit's
                # _fit_context would tear the callbacks down; teardown() does it at the end.
                del estimator._callback_fit_ctx
                self._to_teardown = estimator.__dict__.pop("_skl_callbacks_to_teardown")
        self.active = bool(getattr(estimator, "_skl_callbacks", None))
        self.data = {}
        self._subtask = None

    def teardown(self) -> None:
        """Tear down the callbacks of a detached task (see ``detached``)."""
        for callback in self._to_teardown:
            callback.teardown(estimator=self.estimator, context=self.root)
        self._to_teardown = []

    def judge_on(self, X, Y, sample_weight, *, encoded=True) -> None:
        """Set the data the hooks receive: ``X``, targets ``Y`` and their weights.

        ``Y`` is the encoded target matrix, decoded (class labels) only if a hook asks for
        it, or, with ``encoded=False``, the targets as the user gave them.
        """
        if not self.active:
            return
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        y = (lambda: self.estimator._decode(Y)) if encoded else Y
        self.data = {"X": X, "y": y, "metadata": metadata}

    def _fitted(self, coefs, intercepts):
        # A callable: _call_hooks builds the fitted estimator only for hooks that want it.
        def attributes():
            return {
                "coefs_": [copy(W) for W in coefs],
                "intercepts_": [copy(b) for b in intercepts],
            }

        return attributes

    def begin(self) -> None:
        """The root task begins."""
        if self.root is not None:
            self.root.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def end(self, coefs, intercepts) -> None:
        """The root task ends with these weights (lists of arrays, as ``coefs_``)."""
        if self.root is None:
            return
        self.root.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=self._fitted(coefs, intercepts),
            **self.data,
        )

    def begin_step(self) -> None:
        """An epoch (or iteration) begins."""
        if self.active:
            self._subtask = self.root.subcontext(task_name=self.subtask_name)
            self._subtask.call_on_fit_task_begin(estimator=self.estimator)

    def close_step(self) -> None:
        """Close a step that began but never ran (L-BFGS's last, or an interrupted one)."""
        if self._subtask is not None:
            self._subtask.call_on_fit_task_end(estimator=self.estimator)
            self._subtask = None

    def end_step(self, coefs, intercepts) -> bool:
        """The current step ends with these weights; True if a callback asks to stop."""
        if not self.active:
            return False
        subtask, self._subtask = self._subtask, None
        return subtask.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=self._fitted(coefs, intercepts),
            **self.data,
        )


def fit_tasks(estimator, incremental: bool, judged_on) -> FitTasks:
    """The callback tasks of one ``fit`` (or ``partial_fit``) call, begun.

    ``judged_on`` is ``(X, Y, sample_weight)``, the data the hooks receive.
    """
    # Callbacks see whole fits: a partial_fit call is one step of a run it cannot see.
    tasks = FitTasks()
    if not incremental:
        lbfgs = estimator.solver == "lbfgs"
        tasks = FitTasks(estimator, ("epoch", "iteration")[lbfgs], estimator.max_iter + lbfgs)
    tasks.judge_on(*judged_on)
    tasks.begin()
    return tasks
