"""Regenerate the configs of every keras.applications model (weights=None: Keras's Apache-2.0
architectures, serialised by us with model.to_json(), gzipped) and Keras's counts for each in
applications/expected.json.

    KERAS_BACKEND=torch python tests/data/keras/generate_applications.py   # about an hour on 2 cores
"""

import gzip
import json
import math
import os

import keras

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "applications")


def names() -> list[str]:
    apps = keras.applications
    return sorted(n for n in dir(apps) if n[0].isupper() and callable(getattr(apps, n)))


def main():
    os.makedirs(HERE, exist_ok=True)
    expected = {}
    for name in names():
        try:
            model = getattr(keras.applications, name)(weights=None)
        except ValueError as exc:  # NASNetMobile: "not available with the torch backend at this time"
            print(f"{name}: {exc}")
            continue
        with gzip.open(os.path.join(HERE, name + ".json.gz"), "wt", compresslevel=9) as handle:
            handle.write(model.to_json())
        expected[name] = {
            "keras_version": keras.__version__,
            "trainable_params": sum(math.prod(w.shape) for w in model.trainable_weights),
            "non_trainable_params": sum(math.prod(w.shape) for w in model.non_trainable_weights),
            "output_shape": list(model.output.shape),
        }
        with open(os.path.join(HERE, "expected.json"), "w") as handle:
            json.dump(expected, handle, indent=1)


if __name__ == "__main__":
    main()
