"""Reports as a feature: the services front ends call to render the leaf ``reports`` package."""
