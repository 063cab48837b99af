* fixed_spaces.mps - fixed-column MPS whose names contain blanks (fields 2-3, 5-12,
* 15-22, 25-36, 40-47, 50-61). Free-format reading fails, so the reader uses fixed.
NAME          FIXED SP
ROWS
 N  COST
 L  LIM 1
 G  LIM 2
 E  BAL A
COLUMNS
    X 1       COST                1.   LIM 1               1.
    X 1       BAL A               1.
    X 2       COST                2.   LIM 2               1.
    X 2       BAL A              -1.
RHS
    RHS       LIM 1               4.   LIM 2               1.
    RHS       COST               -3.
RANGES
    RNG       LIM 1               2.
BOUNDS
 UP BND       X 1                 5.
QUADOBJ
    X 1       X 1                 1.
    X 1       X 2                 .5
ENDATA
