"""MoSAiC Processing: registers the C++ MoSAiC provider from Python.

QGIS 3.22's qgis_process loads Python plugins only. This plugin loads the
provider library (libmosaic_qgis.so, C++, linked against the same QGIS) with
ctypes and calls its C entry point ``mosaic_qgis_register_provider()``, which
adds the provider to ``QgsApplication.processingRegistry()`` from C++. No SIP
bindings are needed: the provider object never crosses into Python.

The library is found, in order, at: $MOSAIC_QGIS_PROVIDER_LIB; the path in
library_path.txt beside this file (absolute in the build tree, relative to
this folder when installed by ``cmake --install``); the dynamic linker's
search path (``libmosaic_qgis.so``).
"""

import ctypes
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_NAME = "libmosaic_qgis.so"


def _candidates():
    env = os.environ.get("MOSAIC_QGIS_PROVIDER_LIB")
    if env:
        yield env
    recorded = os.path.join(_HERE, "library_path.txt")
    if os.path.exists(recorded):
        with open(recorded, encoding="utf-8") as f:
            path = f.read().strip()
        if path:
            # Relative (installed): relative to this folder.
            yield os.path.normpath(os.path.join(_HERE, path))
    yield _LIBRARY_NAME


def load_library():
    """Loads the provider library; raises OSError naming every path tried."""
    errors = []
    for path in _candidates():
        if os.path.isabs(path) and not os.path.exists(path):
            errors.append(f"{path}: no such file")
            continue
        try:
            lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError as e:
            errors.append(f"{path}: {e}")
            continue
        lib.mosaic_qgis_register_provider.restype = ctypes.c_int
        lib.mosaic_qgis_unregister_provider.restype = None
        lib.mosaic_qgis_version.restype = ctypes.c_char_p
        return lib
    raise OSError("MoSAiC: cannot load the provider library; tried " + "; ".join(errors))


class MosaicProcessingPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.lib = None

    def initProcessing(self):
        if self.lib is not None:
            return
        self.lib = load_library()
        if not self.lib.mosaic_qgis_register_provider():
            raise RuntimeError("MoSAiC: QGIS refused the provider 'mosaic'")

    def initGui(self):
        self.initProcessing()

    def unload(self):
        if self.lib is not None:
            self.lib.mosaic_qgis_unregister_provider()
            self.lib = None


def classFactory(iface):  # noqa: N802 (QGIS's name)
    return MosaicProcessingPlugin(iface)
