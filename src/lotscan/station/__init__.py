"""The Textual station UI (the only package that imports Textual): the app, built by factory.py,
its widgets and screens, and serving it to handhelds (serve/)."""
