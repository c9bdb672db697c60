"""Small deterministic grid worlds (mazes) with a transition table, for agents vectorised over many runs.

The default layout is the *Dyna maze* of Sutton & Barto (2018), *Reinforcement Learning: An Introduction*, 2nd ed.,
Example 8.1 (Figure 8.2): a 6 x 9 grid with seven wall cells, the start on the left, the goal in the top-right
corner, and a shortest path of 14 steps. Any other layout can be given as a list of strings.

A maze is fully described by its *transition table* ``transitions[s, a]`` (the state reached from state ``s`` by
action ``a``) and its *reward table* ``rewards[s, a]``. Because both are plain integer / float arrays, an agent can
step ``n_runs`` independent copies of itself at once with one fancy-indexing operation
(``env.step(states, actions)`` on arrays of shape (n_runs,)), which is how :mod:`lnn_utils.reinforcement` (notebook 07)
and the exploration agents of notebook 08 run many seeds in a few milliseconds.

Conventions
-----------
- Cells are ``(row, col)`` with row 0 at the top. States are the free (non-wall) cells, numbered row by row.
- Actions: 0 = up, 1 = right, 2 = down, 3 = left (:data:`ACTIONS`). A move into a wall or off the grid leaves the
  agent where it is.
- Entering the goal gives ``goal_reward``; every other step gives ``step_reward``. The goal is absorbing: from it
  every action leads back to it with reward 0, and :meth:`Maze.step` reports ``done``. Agents restart an episode
  with :meth:`Maze.reset`.
- The goal (and the start) can be moved: :meth:`Maze.with_goal` returns a new maze with the same walls and another
  goal, so that a task can change between episodes (e.g. Sutton & Barto's changing mazes, Example 8.2/8.3).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .._validation import check_positive

#: Names of the four actions, in the order of the action index.
ACTIONS = ("up", "right", "down", "left")
#: Row and column change of each action.
ACTION_DELTAS = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]])

#: The Dyna maze of Sutton & Barto (2018), Example 8.1: ``#`` wall, ``.`` free, ``S`` start, ``G`` goal.
DYNA_MAZE = (
    ".......#G",
    "..#....#.",
    "S.#....#.",
    "..#......",
    ".....#...",
    ".........",
)


class Maze:
    """A deterministic grid world with walls, a start and a goal, described by a transition table.

    Parameters
    ----------
    layout : sequence of str, default=:data:`DYNA_MAZE`
        One string per row, all of the same length: ``#`` wall, ``.`` free cell, ``S`` start, ``G`` goal
        (``S`` and ``G`` are free cells). Sutton & Barto's Dyna maze when omitted.
    start : tuple of int (row, col), optional
        Start cell; overrides an ``S`` in ``layout``. Required when the layout has no ``S``.
    goal : tuple of int (row, col), optional
        Goal cell; overrides a ``G`` in ``layout``. Required when the layout has no ``G``.
    goal_reward : float, default=1.0
        Reward for the step that enters the goal.
    step_reward : float, default=0.0
        Reward for every other step (e.g. -1 to count steps as a cost).

    Attributes
    ----------
    shape : tuple of int
        (n_rows, n_cols) of the grid.
    walls : ndarray of bool, shape (n_rows, n_cols)
        True at wall cells.
    n_states : int
        Number of free cells (the states).
    n_actions : int
        4 (up, right, down, left).
    cells : ndarray of int, shape (n_states, 2)
        (row, col) of every state.
    start, goal : int
        State index of the start and of the goal.
    transitions : ndarray of int, shape (n_states, n_actions)
        ``transitions[s, a]``: the state reached from ``s`` with action ``a`` (the goal maps onto itself).
    rewards : ndarray of float, shape (n_states, n_actions)
        ``rewards[s, a]``: reward of that step.
    terminal : ndarray of bool, shape (n_states,)
        True at the goal.

    Examples
    --------
    >>> env = Maze()
    >>> env.n_states, env.n_actions, env.shortest_path_length()
    (47, 4, 14)
    >>> states = env.reset(3)                       # three agents at the start
    >>> states, rewards, done = env.step(states, np.array([0, 1, 2]))
    """

    n_actions = len(ACTIONS)

    def __init__(self, layout=DYNA_MAZE, *, start=None, goal=None, goal_reward=1.0, step_reward=0.0):
        rows = [str(r) for r in layout]
        if not rows or any(len(r) != len(rows[0]) for r in rows) or len(rows[0]) == 0:
            raise ValueError(f"layout must be a non-empty list of equally long strings, got row lengths "
                             f"{[len(r) for r in rows]}")
        unknown = set("".join(rows)) - set("#.SG")
        if unknown:
            raise ValueError(f"layout may contain only '#', '.', 'S', 'G', got {sorted(unknown)}")
        for name, value in (("goal_reward", goal_reward), ("step_reward", step_reward)):
            if not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        self.layout = tuple(rows)
        self.goal_reward = float(goal_reward)
        self.step_reward = float(step_reward)
        grid = np.array([list(r) for r in rows])
        self.shape = grid.shape
        self.walls = grid == "#"
        self.cells = np.argwhere(~self.walls)
        self.n_states = len(self.cells)
        self._index = np.full(self.shape, -1, dtype=int)
        self._index[~self.walls] = np.arange(self.n_states)
        self.start = self._cell_from_layout(grid, "S", start, "start")
        self.goal = self._cell_from_layout(grid, "G", goal, "goal")
        if self.start == self.goal:
            raise ValueError("start and goal must be different cells")
        self._build_tables()

    # construction -----------------------------------------------------------------------------------------------
    def _cell_from_layout(self, grid, letter, given, name):
        if given is not None:
            return self.state_of(given)
        found = np.argwhere(grid == letter)
        if len(found) != 1:
            raise ValueError(f"the layout must contain exactly one '{letter}' or {name}=(row, col) must be given; "
                             f"found {len(found)}")
        return self.state_of(tuple(found[0]))

    def _build_tables(self):
        target = self.cells[:, None, :] + ACTION_DELTAS[None, :, :]  # (n_states, n_actions, 2)
        inside = ((target >= 0) & (target < np.array(self.shape))).all(axis=-1)
        target = np.where(inside[..., None], target, self.cells[:, None, :])
        nxt = self._index[target[..., 0], target[..., 1]]
        stay = np.broadcast_to(np.arange(self.n_states)[:, None], nxt.shape)
        nxt = np.where(nxt < 0, stay, nxt)  # bumping into a wall
        nxt[self.goal] = self.goal
        self.transitions = nxt
        self.rewards = np.where(nxt == self.goal, self.goal_reward, self.step_reward)
        self.rewards[self.goal] = 0.0
        self.terminal = np.zeros(self.n_states, dtype=bool)
        self.terminal[self.goal] = True

    def with_goal(self, goal):
        """A new maze with the same walls, start and rewards, and the goal moved to cell ``goal`` = (row, col)."""
        return Maze(self.layout, start=self.cell_of(self.start), goal=goal,
                    goal_reward=self.goal_reward, step_reward=self.step_reward)

    def with_start(self, start):
        """A new maze with the same walls, goal and rewards, and the start moved to cell ``start`` = (row, col)."""
        return Maze(self.layout, start=start, goal=self.cell_of(self.goal),
                    goal_reward=self.goal_reward, step_reward=self.step_reward)

    @classmethod
    def open_grid(cls, n_rows, n_cols, *, start=None, goal=None, **kwargs):
        """An ``n_rows`` x ``n_cols`` grid world without inner walls; start bottom-left and goal top-right by default.

        Extra keyword arguments (``goal_reward``, ``step_reward``) go to :class:`Maze`.
        """
        check_positive(n_rows, "n_rows", integer=True)
        check_positive(n_cols, "n_cols", integer=True)
        start = (n_rows - 1, 0) if start is None else start
        goal = (0, n_cols - 1) if goal is None else goal
        return cls(["." * n_cols] * n_rows, start=start, goal=goal, **kwargs)

    # lookup -----------------------------------------------------------------------------------------------------
    def state_of(self, cell):
        """State index of the free cell ``cell`` = (row, col); ``ValueError`` for a wall or a cell off the grid."""
        try:
            r, c = (int(v) for v in cell)
        except (TypeError, ValueError):
            raise ValueError(f"a cell must be a pair (row, col) of integers, got {cell!r}") from None
        if not (0 <= r < self.shape[0] and 0 <= c < self.shape[1]):
            raise ValueError(f"cell {(r, c)} is off the {self.shape[0]} x {self.shape[1]} grid")
        if self.walls[r, c]:
            raise ValueError(f"cell {(r, c)} is a wall; choose a free cell")
        return int(self._index[r, c])

    def cell_of(self, state):
        """(row, col) of a state index (or an array of them: shape (..., 2))."""
        return self.cells[self._check_states(state, "state")]

    def _check_states(self, states, name):
        states = np.asarray(states)
        if not np.issubdtype(states.dtype, np.integer):
            raise TypeError(f"{name} must be integer state indices, got dtype {states.dtype}")
        if states.size and (states.min() < 0 or states.max() >= self.n_states):
            raise ValueError(f"{name} must lie in [0, {self.n_states - 1}], got values in "
                             f"[{states.min()}, {states.max()}]")
        return states

    # dynamics ---------------------------------------------------------------------------------------------------
    def reset(self, n_agents=None):
        """The start state: an int, or an int array of shape (n_agents,) for ``n_agents`` agents at once."""
        if n_agents is None:
            return self.start
        check_positive(n_agents, "n_agents", integer=True)
        return np.full(n_agents, self.start, dtype=int)

    def step(self, states, actions):
        """Move agents one step.

        Parameters
        ----------
        states : int or array_like of int, shape (n_agents,)
            Current states.
        actions : int or array_like of int, same shape
            Actions in {0, 1, 2, 3} (up, right, down, left).

        Returns
        -------
        next_states : int or ndarray of int
            ``transitions[states, actions]``.
        rewards : float or ndarray of float
            ``rewards[states, actions]``.
        done : bool or ndarray of bool
            True where the next state is the goal.
        """
        s = self._check_states(states, "states")
        a = np.asarray(actions)
        if not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"actions must be integers in [0, {self.n_actions - 1}], got dtype {a.dtype}")
        if a.size and (a.min() < 0 or a.max() >= self.n_actions):
            raise ValueError(f"actions must lie in [0, {self.n_actions - 1}] (up, right, down, left), got values "
                             f"in [{a.min()}, {a.max()}]")
        nxt = self.transitions[s, a]
        rew = self.rewards[s, a]
        done = self.terminal[nxt]
        if nxt.ndim == 0:
            return int(nxt), float(rew), bool(done)
        return nxt, rew, done

    # exact solutions (for tests and baselines) -------------------------------------------------------------------
    def distances_to_goal(self):
        """Fewest steps from every state to the goal (breadth-first search), shape (n_states,); -1 if unreachable."""
        dist = np.full(self.n_states, -1, dtype=int)
        dist[self.goal] = 0
        queue = deque([self.goal])
        while queue:
            s = queue.popleft()
            # predecessors of s: states p with a transition p -> s
            for p in np.flatnonzero((self.transitions == s).any(axis=1)):
                if dist[p] < 0:
                    dist[p] = dist[s] + 1
                    queue.append(p)
        return dist

    def shortest_path_length(self, start=None):
        """Fewest steps from ``start`` (a state index; default the start state) to the goal."""
        start = self.start if start is None else int(self._check_states(start, "start"))
        return int(self.distances_to_goal()[start])

    def optimal_values(self, discount):
        """State values of the optimal policy, shape (n_states,), for ``goal_reward`` and ``step_reward``.

        V*(s) = max_a [ r(s, a) + discount * V*(s') ] with V*(goal) = 0, solved by value iteration.
        """
        if not 0 < discount <= 1:
            raise ValueError(f"discount must lie in (0, 1], got {discount!r}")
        V = np.zeros(self.n_states)
        for _ in range(10 * self.n_states + 1000):
            new = (self.rewards + discount * V[self.transitions]).max(axis=1)
            new[self.goal] = 0.0
            if np.max(np.abs(new - V)) < 1e-12:
                return new
            V = new
        return V

    def grid_values(self, values):
        """Place per-state values onto the grid: shape (n_rows, n_cols), NaN at walls (for ``imshow``)."""
        values = np.asarray(values, dtype=float)
        if values.shape != (self.n_states,):
            raise ValueError(f"values must have shape (n_states,) = ({self.n_states},), got {values.shape}")
        grid = np.full(self.shape, np.nan)
        grid[self.cells[:, 0], self.cells[:, 1]] = values
        return grid

    def __repr__(self):
        start, goal = (tuple(int(v) for v in self.cells[s]) for s in (self.start, self.goal))
        return f"Maze(shape={self.shape}, n_states={self.n_states}, start={start}, goal={goal})"
