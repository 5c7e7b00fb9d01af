"""nnviz: see how a neural network computes, forward and backward, with the real numbers."""

__version__ = "0.1.0"
