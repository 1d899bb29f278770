"""The phases of the analysis as functions, one module per notebook.

Each takes a study (its data folder, :class:`~thematic.study.Study` or a loaded Dataset) and
the notebook's parameters, and returns a :class:`~thematic.phases.base.PhaseResult` that
:meth:`thematic.present.Publisher.show` displays and saves; tests call them directly.

======================  ==========================  ====================================
notebook                function                    module
======================  ==========================  ====================================
``00-prepare``          :func:`prepare`             :mod:`thematic.phases.prepare`
``01-familiarisation``  :func:`familiarise`         :mod:`thematic.phases.familiarise`
``02-code-suggestions`` :func:`suggest_codes`       :mod:`thematic.phases.suggest`
``03-theme-mapping``    :func:`map_themes`          :mod:`thematic.phases.themes`
``04-triangulation``    :func:`triangulate_themes`  :mod:`thematic.phases.triangulate`
======================  ==========================  ====================================
"""

from thematic.phases.base import PhaseResult
from thematic.phases.familiarise import familiarise
from thematic.phases.prepare import prepare
from thematic.phases.suggest import suggest_codes
from thematic.phases.themes import map_themes
from thematic.phases.triangulate import triangulate_themes

__all__ = ["PhaseResult", "familiarise", "map_themes", "prepare", "suggest_codes", "triangulate_themes"]
