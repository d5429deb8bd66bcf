"""Pure functions over a built Graph: counts, receptive fields, activation memory.
(Output shapes are inferred by the builder as it makes each node: build.Node.shape.)"""
