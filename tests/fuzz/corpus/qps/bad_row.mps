* bad_row.mps - malformed on purpose: line 9 names a row that ROWS does not declare.
NAME          BADROW
ROWS
 N  obj
 L  c1
COLUMNS
    x         obj       1.0          c1        1.0
    y         obj       1.0          c1        1.0
    z         c2        1.0
RHS
    rhs       c1        10.0
ENDATA
