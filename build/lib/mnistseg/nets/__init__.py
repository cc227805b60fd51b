"""The networks: their params and registry, training on a device, scoring, predictions."""
