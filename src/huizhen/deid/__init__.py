"""De-identification engines: DICOM objects (:mod:`huizhen.deid.dicom`) and clinical text.

Pure Python, no Django: the gateway's case pipeline and the ``huizhen deid`` command line
call the same code.
"""
