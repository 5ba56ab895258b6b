"""The local page (selfeval-xl serve): a Flask app over the facade, served by waitress on this machine."""
