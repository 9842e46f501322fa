"""The causal laws of the synthetic companies: how response time and lead quality change what happens to a
lead. The generator draws with them; the funnel simulator of module 03 reuses the response law, so that
what learners simulate is what made the data."""

from __future__ import annotations

import numpy as np
import pandas as pd


def response_multiplier(first_response_minutes: np.ndarray | pd.Series, decay: float) -> np.ndarray:
    """How much first-response time multiplies the chance of qualifying: 1 within the hour, then
    ``(60 / minutes) ** decay`` (0 for leads never contacted)."""
    minutes = np.asarray(first_response_minutes, dtype=float)
    slowed = np.power(60.0 / np.maximum(minutes, 60.0), decay)
    return np.where(np.isnan(minutes), 0.0, slowed)


def quality_multiplier(quality: np.ndarray) -> np.ndarray:
    """How lead quality (0–1) multiplies the chance to qualify and to win: 0.4 at 0, 1 at 0.5, 1.6 at 1."""
    return 0.4 + 1.2 * quality


def draw_quality(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """Hidden lead quality in (0, 1): Beta-distributed around each lead's segment mean."""
    return rng.beta(mean * 6, (1 - mean) * 6)


def score_from_quality(rng: np.random.Generator, quality: np.ndarray, noise_sd: float) -> np.ndarray:
    """The lead score a scoring model would give: quality in points plus measurement noise."""
    return np.clip(np.round(100 * quality + rng.normal(0, noise_sd, len(quality))), 0, 100).astype(np.int64)
