"""Many operators at once (issue 23): a portfolio is a folder of operators, each a profile and
an inventory, evaluated on Dask distributed and summarised as one table.

``operators`` finds the operators (a folder, or the store's latest inputs), ``cluster`` runs a
function over them on a Dask cluster (a LocalCluster by default), ``run`` is the evaluation of
one operator as ``dutybound evaluate`` does it and the portfolio run around it, ``summary`` the
table of operators × jurisdictions × positions and its files. Dask is imported only by
``cluster``: the rest loads without it.
"""
