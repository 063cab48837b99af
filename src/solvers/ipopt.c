/* ipopt.c - adapter for Ipopt (COIN-OR interior point NLP solver, C interface) as a QP solver.
 *
 * Mapping. Ipopt solves  min f(x)  s.t.  g_L <= g(x) <= g_U,  x_L <= x <= x_U
 * with the Lagrangian f + g'mult_g (mult_g >= 0 on rows at their upper bound,
 * <= 0 at their lower bound). We pass x free, g(x) = [A; C] x with g_L = [b;
 * -inf] and g_U = [b; d], so stationarity  P z + q + A'mult_A + C'mult_C = 0
 * is already in dqp's signs: lambda = mult_g(rows of A), mu = mult_g(rows of
 * C) >= 0 (pinned by tests/solvers/test_conformance.c). The Hessian is the
 * lower triangle of P (constant), the Jacobian the pattern of [A; C]
 * (constant); Ipopt is told both are constant.
 *
 * Settings: eps_abs -> tol (Ipopt's scaled optimality tolerance, clamped to
 * >= 1e-14) and bound_relax_factor = min(1e-8, eps_abs) (Ipopt relaxes
 * inequality bounds by this relative amount, which otherwise limits the
 * accuracy of active rows to ~1e-8); max_iter (0: Ipopt's default 3000); time_limit is checked on
 * the wall clock in the intermediate callback (which also counts iterations). Warm start: z as the
 * starting point; lambda and mu as the constraint multipliers with warm_start_init_point=yes.
 *
 * qp_solver_keywords are passed through to Ipopt, each with the type of the
 * Ipopt option (number, integer or string). Ipopt prints (to stdout, before
 * any print_level applies) when an option is unknown or has a wrong type or
 * value, so every key and value is checked first against the table below of
 * the options registered by Ipopt 3.11.9 (names, types, bounds and valid
 * strings, generated from Ipopt's RegisteredOptions); an unknown key or a bad
 * value is rejected with DQP_ERR_VALUE and Ipopt never sees it. Reserved (set
 * by the adapter, rejected): print_level, file_print_level, output_file,
 * option_file_name (set to "" so that no ipopt.opt file is read), sb. Output is
 * silenced with print_level 0 and sb yes (no banner).
 *
 * What this adapter does not provide:
 *   - exact active sets or duals: an interior-point method returns inactive
 *     multipliers ~ tol and active slacks ~ tol (the engine picks J by
 *     eps_active and zeroes mu off J);
 *   - infeasibility and unboundedness certificates: Infeasible_Problem_Detected
 *     is reported as primal infeasible and Diverging_Iterates as dual
 *     infeasible (unbounded), without a certificate; other failures (e.g.
 *     Restoration_Failed) are numerical errors;
 *   - nonconvexity detection: P is treated as the Hessian of an NLP, and a
 *     nonconvex QP gives a local solution reported as solved (use check_PSD);
 *   - problems with more equality rows than variables: Ipopt refuses them
 *     (Not_Enough_Degrees_Of_Freedom -> numerical error), even if consistent;
 *   - warm start from an active set (the argument is ignored);
 *   - update without a new IpoptProblem: one is created per solve (bounds are
 *     copied in at creation); the Ipopt solve itself dominates;
 *   - parallel solves: Ipopt's linear solver MUMPS keeps global Fortran
 *     module state, so concurrent solves in an OpenMP batch crash; the
 *     adapter serializes IpoptSolve process-wide (dqp_extlib_lock, shared
 *     with dqp's own "mumps" KKT backend), so Ipopt handles in a batch are
 *     correct but run one at a time;
 *   - option checks for an Ipopt other than 3.11.9: an option missing from
 *     the linked library would be reported by Ipopt itself (and printed).
 */
#define _POSIX_C_SOURCE 200809L

#include "solvers/ipopt.h"

#ifdef DQP_HAVE_IPOPT

#include "solvers/admm.h"

#include <IpStdCInterface.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The one piece of process-wide state in the adapter: a lock that lets one
 * Ipopt solve at a time run MUMPS, which is not thread-safe (see ipo_solve).
 * Synchronization only: results do not depend on it. (An OpenMP named
 * critical section would export a non-dqp_ lock symbol.) */

/* ------------------------------------------------------------ option table */

/* flags: 1 lower bound, 2 lower strict, 4 upper bound, 8 upper strict. */
typedef struct ipo_opt {
    const char *name;
    char type; /* 'N' number, 'I' integer, 'S' string */
    unsigned char flags;
    double lo, hi;
    const char *valid; /* 'S': settings separated by '|', "*" = any string */
} ipo_opt;

/* Registered options of Ipopt 3.11.9 (sorted by name, as strcmp). */
static const ipo_opt ipo_opts[] = {
    {"accept_after_max_steps", 'I', 1, -1, 0, NULL},
    {"accept_every_trial_step", 'S', 0, 0, 0, "no|yes"},
    {"acceptable_compl_inf_tol", 'N', 3, 0, 0, NULL},
    {"acceptable_constr_viol_tol", 'N', 3, 0, 0, NULL},
    {"acceptable_dual_inf_tol", 'N', 3, 0, 0, NULL},
    {"acceptable_iter", 'I', 1, 0, 0, NULL},
    {"acceptable_obj_change_tol", 'N', 1, 0, 0, NULL},
    {"acceptable_tol", 'N', 3, 0, 0, NULL},
    {"adaptive_mu_globalization", 'S', 0, 0, 0, "kkt-error|obj-constr-filter|never-monotone-mode"},
    {"adaptive_mu_kkt_norm_type", 'S', 0, 0, 0, "1-norm|2-norm-squared|max-norm|2-norm"},
    {"adaptive_mu_kkterror_red_fact", 'N', 15, 0, 1, NULL},
    {"adaptive_mu_kkterror_red_iters", 'I', 1, 0, 0, NULL},
    {"adaptive_mu_monotone_init_factor", 'N', 3, 0, 0, NULL},
    {"adaptive_mu_restore_previous_iterate", 'S', 0, 0, 0, "no|yes"},
    {"adaptive_mu_safeguard_factor", 'N', 1, 0, 0, NULL},
    {"alpha_for_y", 'S', 0, 0, 0,
     "primal|bound-mult|min|max|full|min-dual-infeas|safer-min-dual-infeas|"
     "primal-and-full|dual-and-full|acceptor"},
    {"alpha_for_y_tol", 'N', 1, 0, 0, NULL},
    {"alpha_min_frac", 'N', 15, 0, 1, NULL},
    {"alpha_red_factor", 'N', 15, 0, 1, NULL},
    {"barrier_tol_factor", 'N', 3, 0, 0, NULL},
    {"bound_frac", 'N', 7, 0, 0.5, NULL},
    {"bound_mult_init_method", 'S', 0, 0, 0, "constant|mu-based"},
    {"bound_mult_init_val", 'N', 3, 0, 0, NULL},
    {"bound_mult_reset_threshold", 'N', 1, 0, 0, NULL},
    {"bound_push", 'N', 3, 0, 0, NULL},
    {"bound_relax_factor", 'N', 1, 0, 0, NULL},
    {"check_derivatives_for_naninf", 'S', 0, 0, 0, "no|yes"},
    {"chi_cup", 'N', 3, 0, 0, NULL},
    {"chi_hat", 'N', 3, 0, 0, NULL},
    {"chi_tilde", 'N', 3, 0, 0, NULL},
    {"compl_inf_tol", 'N', 3, 0, 0, NULL},
    {"constr_mult_init_max", 'N', 1, 0, 0, NULL},
    {"constr_mult_reset_threshold", 'N', 1, 0, 0, NULL},
    {"constr_viol_tol", 'N', 3, 0, 0, NULL},
    {"constraint_violation_norm_type", 'S', 0, 0, 0, "1-norm|2-norm|max-norm"},
    {"corrector_compl_avrg_red_fact", 'N', 3, 0, 0, NULL},
    {"corrector_type", 'S', 0, 0, 0, "none|affine|primal-dual"},
    {"delta", 'N', 3, 0, 0, NULL},
    {"delta_y_max", 'N', 3, 0, 0, NULL},
    {"dependency_detection_with_rhs", 'S', 0, 0, 0, "no|yes"},
    {"dependency_detector", 'S', 0, 0, 0, "none|mumps|wsmp|ma28"},
    {"derivative_test", 'S', 0, 0, 0, "none|first-order|second-order|only-second-order"},
    {"derivative_test_first_index", 'I', 1, -2, 0, NULL},
    {"derivative_test_perturbation", 'N', 3, 0, 0, NULL},
    {"derivative_test_print_all", 'S', 0, 0, 0, "no|yes"},
    {"derivative_test_tol", 'N', 3, 0, 0, NULL},
    {"diverging_iterates_tol", 'N', 3, 0, 0, NULL},
    {"dual_inf_tol", 'N', 3, 0, 0, NULL},
    {"epsilon_c", 'N', 3, 0, 0, NULL},
    {"eta_min", 'N', 3, 0, 0, NULL},
    {"eta_penalty", 'N', 15, 0, 0.5, NULL},
    {"eta_phi", 'N', 15, 0, 0.5, NULL},
    {"evaluate_orig_obj_at_resto_trial", 'S', 0, 0, 0, "no|yes"},
    {"expect_infeasible_problem", 'S', 0, 0, 0, "no|yes"},
    {"expect_infeasible_problem_ctol", 'N', 1, 0, 0, NULL},
    {"expect_infeasible_problem_ytol", 'N', 3, 0, 0, NULL},
    {"fast_des_fact", 'N', 3, 0, 0, NULL},
    {"fast_step_computation", 'S', 0, 0, 0, "no|yes"},
    {"file_print_level", 'I', 5, 0, 12, NULL},
    {"filter_margin_fact", 'N', 15, 0, 1, NULL},
    {"filter_max_margin", 'N', 3, 0, 0, NULL},
    {"filter_reset_trigger", 'I', 1, 1, 0, NULL},
    {"findiff_perturbation", 'N', 3, 0, 0, NULL},
    {"first_hessian_perturbation", 'N', 3, 0, 0, NULL},
    {"fixed_mu_oracle", 'S', 0, 0, 0, "probing|loqo|quality-function|average_compl"},
    {"fixed_variable_treatment", 'S', 0, 0, 0, "make_parameter|make_constraint|relax_bounds"},
    {"gamma_hat", 'N', 3, 0, 0, NULL},
    {"gamma_phi", 'N', 15, 0, 1, NULL},
    {"gamma_theta", 'N', 15, 0, 1, NULL},
    {"gamma_tilde", 'N', 3, 0, 0, NULL},
    {"hessian_approximation", 'S', 0, 0, 0, "exact|limited-memory"},
    {"hessian_approximation_space", 'S', 0, 0, 0, "nonlinear-variables|all-variables"},
    {"hessian_constant", 'S', 0, 0, 0, "no|yes"},
    {"honor_original_bounds", 'S', 0, 0, 0, "no|yes"},
    {"inf_pr_output", 'S', 0, 0, 0, "internal|original"},
    {"jac_c_constant", 'S', 0, 0, 0, "no|yes"},
    {"jac_d_constant", 'S', 0, 0, 0, "no|yes"},
    {"jacobian_approximation", 'S', 0, 0, 0, "exact|finite-difference-values"},
    {"jacobian_regularization_exponent", 'N', 1, 0, 0, NULL},
    {"jacobian_regularization_value", 'N', 1, 0, 0, NULL},
    {"kappa_d", 'N', 1, 0, 0, NULL},
    {"kappa_sigma", 'N', 3, 0, 0, NULL},
    {"kappa_soc", 'N', 3, 0, 0, NULL},
    {"kappa_x_dis", 'N', 3, 0, 0, NULL},
    {"kappa_y_dis", 'N', 3, 0, 0, NULL},
    {"least_square_init_duals", 'S', 0, 0, 0, "no|yes"},
    {"least_square_init_primal", 'S', 0, 0, 0, "no|yes"},
    {"limited_memory_aug_solver", 'S', 0, 0, 0, "sherman-morrison|extended"},
    {"limited_memory_init_val", 'N', 3, 0, 0, NULL},
    {"limited_memory_init_val_max", 'N', 3, 0, 0, NULL},
    {"limited_memory_init_val_min", 'N', 3, 0, 0, NULL},
    {"limited_memory_initialization", 'S', 0, 0, 0, "scalar1|scalar2|scalar3|scalar4|constant"},
    {"limited_memory_max_history", 'I', 1, 0, 0, NULL},
    {"limited_memory_max_skipping", 'I', 1, 1, 0, NULL},
    {"limited_memory_special_for_resto", 'S', 0, 0, 0, "no|yes"},
    {"limited_memory_update_type", 'S', 0, 0, 0, "bfgs|sr1"},
    {"line_search_method", 'S', 0, 0, 0, "filter|cg-penalty|penalty"},
    {"linear_scaling_on_demand", 'S', 0, 0, 0, "no|yes"},
    {"linear_solver", 'S', 0, 0, 0, "ma27|ma57|ma77|ma86|ma97|pardiso|wsmp|mumps|custom"},
    {"linear_system_scaling", 'S', 0, 0, 0, "none|mc19|slack-based"},
    {"ma27_ignore_singularity", 'S', 0, 0, 0, "no|yes"},
    {"ma27_la_init_factor", 'N', 1, 1, 0, NULL},
    {"ma27_liw_init_factor", 'N', 1, 1, 0, NULL},
    {"ma27_meminc_factor", 'N', 1, 1, 0, NULL},
    {"ma27_pivtol", 'N', 15, 0, 1, NULL},
    {"ma27_pivtolmax", 'N', 15, 0, 1, NULL},
    {"ma27_skip_inertia_check", 'S', 0, 0, 0, "no|yes"},
    {"ma28_pivtol", 'N', 7, 0, 1, NULL},
    {"ma57_automatic_scaling", 'S', 0, 0, 0, "no|yes"},
    {"ma57_block_size", 'I', 1, 1, 0, NULL},
    {"ma57_node_amalgamation", 'I', 1, 1, 0, NULL},
    {"ma57_pivot_order", 'I', 5, 0, 5, NULL},
    {"ma57_pivtol", 'N', 15, 0, 1, NULL},
    {"ma57_pivtolmax", 'N', 15, 0, 1, NULL},
    {"ma57_pre_alloc", 'N', 1, 1, 0, NULL},
    {"ma57_small_pivot_flag", 'I', 5, 0, 1, NULL},
    {"ma77_buffer_lpage", 'I', 1, 1, 0, NULL},
    {"ma77_buffer_npage", 'I', 1, 1, 0, NULL},
    {"ma77_file_size", 'I', 1, 1, 0, NULL},
    {"ma77_maxstore", 'I', 1, 0, 0, NULL},
    {"ma77_nemin", 'I', 1, 1, 0, NULL},
    {"ma77_order", 'S', 0, 0, 0, "amd|metis"},
    {"ma77_print_level", 'I', 0, 0, 0, NULL},
    {"ma77_small", 'N', 1, 0, 0, NULL},
    {"ma77_static", 'N', 1, 0, 0, NULL},
    {"ma77_u", 'N', 5, 0, 0.5, NULL},
    {"ma77_umax", 'N', 5, 0, 0.5, NULL},
    {"ma86_nemin", 'I', 1, 1, 0, NULL},
    {"ma86_order", 'S', 0, 0, 0, "auto|amd|metis"},
    {"ma86_print_level", 'I', 0, 0, 0, NULL},
    {"ma86_scaling", 'S', 0, 0, 0, "none|mc64|mc77"},
    {"ma86_small", 'N', 1, 0, 0, NULL},
    {"ma86_static", 'N', 1, 0, 0, NULL},
    {"ma86_u", 'N', 5, 0, 0.5, NULL},
    {"ma86_umax", 'N', 5, 0, 0.5, NULL},
    {"ma97_nemin", 'I', 1, 1, 0, NULL},
    {"ma97_order", 'S', 0, 0, 0, "auto|best|amd|metis|matched-auto|matched-metis|matched-amd"},
    {"ma97_print_level", 'I', 0, 0, 0, NULL},
    {"ma97_scaling", 'S', 0, 0, 0, "none|mc30|mc64|mc77|dynamic"},
    {"ma97_scaling1", 'S', 0, 0, 0, "none|mc30|mc64|mc77"},
    {"ma97_scaling2", 'S', 0, 0, 0, "none|mc30|mc64|mc77"},
    {"ma97_scaling3", 'S', 0, 0, 0, "none|mc30|mc64|mc77"},
    {"ma97_small", 'N', 1, 0, 0, NULL},
    {"ma97_solve_blas3", 'S', 0, 0, 0, "no|yes"},
    {"ma97_switch1", 'S', 0, 0, 0,
     "never|at_start|at_start_reuse|on_demand|on_demand_reuse|high_delay|"
     "high_delay_reuse|od_hd|od_hd_reuse"},
    {"ma97_switch2", 'S', 0, 0, 0,
     "never|at_start|at_start_reuse|on_demand|on_demand_reuse|high_delay|"
     "high_delay_reuse|od_hd|od_hd_reuse"},
    {"ma97_switch3", 'S', 0, 0, 0,
     "never|at_start|at_start_reuse|on_demand|on_demand_reuse|high_delay|"
     "high_delay_reuse|od_hd|od_hd_reuse"},
    {"ma97_u", 'N', 5, 0, 0.5, NULL},
    {"ma97_umax", 'N', 5, 0, 0.5, NULL},
    {"magic_steps", 'S', 0, 0, 0, "no|yes"},
    {"max_cpu_time", 'N', 3, 0, 0, NULL},
    {"max_filter_resets", 'I', 1, 0, 0, NULL},
    {"max_hessian_perturbation", 'N', 3, 0, 0, NULL},
    {"max_iter", 'I', 1, 0, 0, NULL},
    {"max_refinement_steps", 'I', 1, 0, 0, NULL},
    {"max_resto_iter", 'I', 1, 0, 0, NULL},
    {"max_soc", 'I', 1, 0, 0, NULL},
    {"max_soft_resto_iters", 'I', 1, 0, 0, NULL},
    {"mehrotra_algorithm", 'S', 0, 0, 0, "no|yes"},
    {"min_alpha_primal", 'N', 3, 0, 0, NULL},
    {"min_hessian_perturbation", 'N', 1, 0, 0, NULL},
    {"min_refinement_steps", 'I', 1, 0, 0, NULL},
    {"mu_allow_fast_monotone_decrease", 'S', 0, 0, 0, "no|yes"},
    {"mu_init", 'N', 3, 0, 0, NULL},
    {"mu_linear_decrease_factor", 'N', 15, 0, 1, NULL},
    {"mu_max", 'N', 3, 0, 0, NULL},
    {"mu_max_fact", 'N', 3, 0, 0, NULL},
    {"mu_min", 'N', 3, 0, 0, NULL},
    {"mu_oracle", 'S', 0, 0, 0, "probing|loqo|quality-function"},
    {"mu_strategy", 'S', 0, 0, 0, "monotone|adaptive"},
    {"mu_superlinear_decrease_power", 'N', 15, 1, 2, NULL},
    {"mu_target", 'N', 1, 0, 0, NULL},
    {"mult_diverg_feasibility_tol", 'N', 3, 0, 0, NULL},
    {"mult_diverg_y_tol", 'N', 3, 0, 0, NULL},
    {"mumps_dep_tol", 'N', 0, 0, 0, NULL},
    {"mumps_mem_percent", 'I', 1, 0, 0, NULL},
    {"mumps_permuting_scaling", 'I', 5, 0, 7, NULL},
    {"mumps_pivot_order", 'I', 5, 0, 7, NULL},
    {"mumps_pivtol", 'N', 5, 0, 1, NULL},
    {"mumps_pivtolmax", 'N', 5, 0, 1, NULL},
    {"mumps_scaling", 'I', 5, -2, 77, NULL},
    {"neg_curv_test_tol", 'N', 3, 0, 0, NULL},
    {"never_use_fact_cgpen_direction", 'S', 0, 0, 0, "no|yes"},
    {"never_use_piecewise_penalty_ls", 'S', 0, 0, 0, "no|yes"},
    {"nlp_lower_bound_inf", 'N', 0, 0, 0, NULL},
    {"nlp_scaling_constr_target_gradient", 'N', 1, 0, 0, NULL},
    {"nlp_scaling_max_gradient", 'N', 3, 0, 0, NULL},
    {"nlp_scaling_method", 'S', 0, 0, 0, "none|user-scaling|gradient-based|equilibration-based"},
    {"nlp_scaling_min_value", 'N', 1, 0, 0, NULL},
    {"nlp_scaling_obj_target_gradient", 'N', 1, 0, 0, NULL},
    {"nlp_upper_bound_inf", 'N', 0, 0, 0, NULL},
    {"nu_inc", 'N', 3, 0, 0, NULL},
    {"nu_init", 'N', 3, 0, 0, NULL},
    {"num_linear_variables", 'I', 1, 0, 0, NULL},
    {"obj_max_inc", 'N', 3, 1, 0, NULL},
    {"obj_scaling_factor", 'N', 0, 0, 0, NULL},
    {"option_file_name", 'S', 0, 0, 0, "*"},
    {"output_file", 'S', 0, 0, 0, "*"},
    {"pardiso_iter_coarse_size", 'I', 1, 1, 0, NULL},
    {"pardiso_iter_dropping_factor", 'N', 15, 0, 1, NULL},
    {"pardiso_iter_dropping_schur", 'N', 15, 0, 1, NULL},
    {"pardiso_iter_inverse_norm_factor", 'N', 3, 1, 0, NULL},
    {"pardiso_iter_max_levels", 'I', 1, 1, 0, NULL},
    {"pardiso_iter_max_row_fill", 'I', 1, 1, 0, NULL},
    {"pardiso_iter_relative_tol", 'N', 15, 0, 1, NULL},
    {"pardiso_iterative", 'S', 0, 0, 0, "no|yes"},
    {"pardiso_matching_strategy", 'S', 0, 0, 0, "complete|complete+2x2|constraints"},
    {"pardiso_max_droptol_corrections", 'I', 1, 1, 0, NULL},
    {"pardiso_max_iter", 'I', 1, 1, 0, NULL},
    {"pardiso_max_iterative_refinement_steps", 'I', 0, 0, 0, NULL},
    {"pardiso_msglvl", 'I', 1, 0, 0, NULL},
    {"pardiso_order", 'S', 0, 0, 0, "amd|one|metis|pmetis|four|five"},
    {"pardiso_redo_symbolic_fact_only_if_inertia_wrong", 'S', 0, 0, 0, "no|yes"},
    {"pardiso_repeated_perturbation_means_singular", 'S', 0, 0, 0, "no|yes"},
    {"pardiso_skip_inertia_check", 'S', 0, 0, 0, "no|yes"},
    {"pen_des_fact", 'N', 3, 0, 0, NULL},
    {"pen_init_fac", 'N', 3, 0, 0, NULL},
    {"pen_theta_max_fact", 'N', 3, 0, 0, NULL},
    {"penalty_init_max", 'N', 3, 0, 0, NULL},
    {"penalty_init_min", 'N', 3, 0, 0, NULL},
    {"penalty_max", 'N', 3, 0, 0, NULL},
    {"penalty_update_compl_tol", 'N', 3, 0, 0, NULL},
    {"penalty_update_infeasibility_tol", 'N', 3, 0, 0, NULL},
    {"perturb_always_cd", 'S', 0, 0, 0, "no|yes"},
    {"perturb_dec_fact", 'N', 15, 0, 1, NULL},
    {"perturb_inc_fact", 'N', 3, 1, 0, NULL},
    {"perturb_inc_fact_first", 'N', 3, 1, 0, NULL},
    {"piecewisepenalty_gamma_infeasi", 'N', 3, 0, 0, NULL},
    {"piecewisepenalty_gamma_obj", 'N', 3, 0, 0, NULL},
    {"point_perturbation_radius", 'N', 1, 0, 0, NULL},
    {"print_frequency_iter", 'I', 1, 1, 0, NULL},
    {"print_frequency_time", 'N', 1, 0, 0, NULL},
    {"print_info_string", 'S', 0, 0, 0, "no|yes"},
    {"print_level", 'I', 5, 0, 12, NULL},
    {"print_options_documentation", 'S', 0, 0, 0, "no|yes"},
    {"print_options_latex_mode", 'S', 0, 0, 0, "no|yes"},
    {"print_timing_statistics", 'S', 0, 0, 0, "no|yes"},
    {"print_user_options", 'S', 0, 0, 0, "no|yes"},
    {"quality_function_balancing_term", 'S', 0, 0, 0, "none|cubic"},
    {"quality_function_centrality", 'S', 0, 0, 0, "none|log|reciprocal|cubed-reciprocal"},
    {"quality_function_max_section_steps", 'I', 1, 0, 0, NULL},
    {"quality_function_norm_type", 'S', 0, 0, 0, "1-norm|2-norm-squared|max-norm|2-norm"},
    {"quality_function_section_qf_tol", 'N', 13, 0, 1, NULL},
    {"quality_function_section_sigma_tol", 'N', 13, 0, 1, NULL},
    {"recalc_y", 'S', 0, 0, 0, "no|yes"},
    {"recalc_y_feas_tol", 'N', 3, 0, 0, NULL},
    {"replace_bounds", 'S', 0, 0, 0, "no|yes"},
    {"required_infeasibility_reduction", 'N', 13, 0, 1, NULL},
    {"residual_improvement_factor", 'N', 3, 0, 0, NULL},
    {"residual_ratio_max", 'N', 3, 0, 0, NULL},
    {"residual_ratio_singular", 'N', 3, 0, 0, NULL},
    {"resto_failure_feasibility_threshold", 'N', 1, 0, 0, NULL},
    {"resto_penalty_parameter", 'N', 3, 0, 0, NULL},
    {"resto_proximity_weight", 'N', 1, 0, 0, NULL},
    {"rho", 'N', 15, 0, 1, NULL},
    {"s_max", 'N', 3, 0, 0, NULL},
    {"s_phi", 'N', 3, 1, 0, NULL},
    {"s_theta", 'N', 3, 1, 0, NULL},
    {"sb", 'S', 0, 0, 0, "no|yes"},
    {"sigma_max", 'N', 3, 0, 0, NULL},
    {"sigma_min", 'N', 1, 0, 0, NULL},
    {"skip_corr_if_neg_curv", 'S', 0, 0, 0, "no|yes"},
    {"skip_corr_in_monotone_mode", 'S', 0, 0, 0, "no|yes"},
    {"skip_finalize_solution_call", 'S', 0, 0, 0, "no|yes"},
    {"slack_bound_frac", 'N', 7, 0, 0.5, NULL},
    {"slack_bound_push", 'N', 3, 0, 0, NULL},
    {"slack_move", 'N', 1, 0, 0, NULL},
    {"soft_resto_pderror_reduction_factor", 'N', 1, 0, 0, NULL},
    {"start_with_resto", 'S', 0, 0, 0, "no|yes"},
    {"suppress_all_output", 'S', 0, 0, 0, "no|yes"},
    {"tau_min", 'N', 15, 0, 1, NULL},
    {"theta_max_fact", 'N', 3, 0, 0, NULL},
    {"theta_min", 'N', 3, 0, 0, NULL},
    {"theta_min_fact", 'N', 3, 0, 0, NULL},
    {"tiny_step_tol", 'N', 1, 0, 0, NULL},
    {"tiny_step_y_tol", 'N', 1, 0, 0, NULL},
    {"tol", 'N', 3, 0, 0, NULL},
    {"vartheta", 'N', 3, 0, 0, NULL},
    {"warm_start_bound_frac", 'N', 7, 0, 0.5, NULL},
    {"warm_start_bound_push", 'N', 3, 0, 0, NULL},
    {"warm_start_entire_iterate", 'S', 0, 0, 0, "no|yes"},
    {"warm_start_init_point", 'S', 0, 0, 0, "no|yes"},
    {"warm_start_mult_bound_push", 'N', 3, 0, 0, NULL},
    {"warm_start_mult_init_max", 'N', 0, 0, 0, NULL},
    {"warm_start_same_structure", 'S', 0, 0, 0, "no|yes"},
    {"warm_start_slack_bound_frac", 'N', 7, 0, 0.5, NULL},
    {"warm_start_slack_bound_push", 'N', 3, 0, 0, NULL},
    {"warm_start_target_mu", 'N', 0, 0, 0, NULL},
    {"watchdog_shortened_iter_trigger", 'I', 1, 0, 0, NULL},
    {"watchdog_trial_iter_max", 'I', 1, 1, 0, NULL},
    {"wsmp_iterative", 'S', 0, 0, 0, "no|yes"},
};

static const char *const ipo_reserved[] = {"print_level", "file_print_level", "output_file",
                                           "option_file_name", "sb"};

static int cmp_opt(const void *key, const void *elem) {
    return strcmp((const char *)key, ((const ipo_opt *)elem)->name);
}

static const ipo_opt *find_opt(const char *name) {
    return bsearch(name, ipo_opts, sizeof ipo_opts / sizeof ipo_opts[0], sizeof ipo_opts[0],
                   cmp_opt);
}

/* Case-insensitive equality (Ipopt compares string settings that way). */
static int equal_nocase(const char *a, const char *b, size_t len) {
    for (size_t k = 0; k < len; k++) {
        int x = a[k], y = b[k];
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y || x == '\0')
            return 0;
    }
    return a[len] == '\0';
}

static int valid_string(const ipo_opt *o, const char *val) {
    const char *s = o->valid;
    if (strcmp(s, "*") == 0)
        return 1;
    while (*s) {
        const char *e = strchr(s, '|');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (equal_nocase(val, s, len))
            return 1;
        s += len + (e != NULL);
    }
    return 0;
}

static int in_bounds(const ipo_opt *o, double v) {
    if ((o->flags & 1) && ((o->flags & 2) ? !(v > o->lo) : !(v >= o->lo)))
        return 0;
    if ((o->flags & 4) && ((o->flags & 8) ? !(v < o->hi) : !(v <= o->hi)))
        return 0;
    return 1;
}

/* " >= lo and < hi" (the parts that exist). */
static void range_text(const ipo_opt *o, char *buf, size_t len) {
    char lo[48] = "", hi[48] = "";
    if (o->flags & 1)
        dqp_fmt(lo, sizeof lo, " %s %.17g", (o->flags & 2) ? ">" : ">=", o->lo);
    if (o->flags & 4)
        dqp_fmt(hi, sizeof hi, "%s %s %.17g", (o->flags & 1) ? " and" : "",
                (o->flags & 8) ? "<" : "<=", o->hi);
    dqp_fmt(buf, len, "%s%s", lo, hi);
}

/* Check one key=value pair; on success *out is the option and the parsed
 * number (types N and I) is in *num. */
static dqp_status check_option(const char *key, const char *val, const ipo_opt **out, double *num,
                               dqp_message *msg) {
    for (size_t k = 0; k < sizeof ipo_reserved / sizeof ipo_reserved[0]; k++)
        if (strcmp(key, ipo_reserved[k]) == 0)
            return dqp_fail(msg, DQP_ERR_VALUE,
                            "ipopt: keyword \"%s\" is reserved (the adapter keeps Ipopt silent "
                            "and reads no option file)",
                            key);
    const ipo_opt *o = find_opt(key);
    if (!o)
        return dqp_fail(msg, DQP_ERR_VALUE,
                        "ipopt: unknown keyword \"%s\" (valid keys: the options of Ipopt 3.11, "
                        "e.g. tol, max_iter, mu_strategy, mehrotra_algorithm, linear_solver)",
                        key);
    *out = o;
    if (o->type == 'S') {
        if (!valid_string(o, val))
            return dqp_fail(msg, DQP_ERR_VALUE, "ipopt: keyword %s=%s: valid values are %s", key,
                            val, o->valid);
        return DQP_OK;
    }
    char *end, range[96];
    range_text(o, range, sizeof range);
    double v;
    if (o->type == 'I') {
        long long iv = strtoll(val, &end, 10);
        v = (double)iv;
        if (end == val || *end != '\0' || iv < INT_MIN || iv > INT_MAX || !in_bounds(o, v))
            return dqp_fail(msg, DQP_ERR_VALUE, "ipopt: keyword %s=%s: expected an integer%s", key,
                            val, range);
    } else {
        v = strtod(val, &end);
        if (end == val || *end != '\0' || isnan(v) || !in_bounds(o, v))
            return dqp_fail(msg, DQP_ERR_VALUE, "ipopt: keyword %s=%s: expected a number%s", key,
                            val, range);
    }
    *num = v;
    return DQP_OK;
}

/* ------------------------------------------------------------ state */

typedef struct ipo {
    int64_t n, me, mi, m;
    dqp_csc *Pu, *M;     /* upper triangle of P; [A; C] */
    double *q, *gl, *gu; /* length n, m, m */
    double *x, *g, *mult_g, *mult_xl, *mult_xu, *xl, *xu, *Px;
    double *warm_x, *warm_y;
    int warm_x_set, warm_y_set;
    int jac_pad; /* m > 0 with no stored entry: one explicit zero */
    double eps_abs, time_limit;
    int64_t max_iter;
    char keywords[DQP_KEYWORDS_LEN];
    int64_t iters;
    int timed_out;
    struct timespec t0;
} ipo;

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* y = P x (full symmetric from the upper triangle). */
static void p_times(const ipo *w, const double *x, double *y) {
    const dqp_csc *U = w->Pu;
    memset(y, 0, (size_t)w->n * sizeof *y);
    for (int64_t j = 0; j < U->n; j++)
        for (int64_t k = U->p[j]; k < U->p[j + 1]; k++) {
            int64_t i = U->i[k];
            y[i] += U->x[k] * x[j];
            if (i != j)
                y[j] += U->x[k] * x[i];
        }
}

/* ------------------------------------------------------------ callbacks */

static Bool cb_f(Index n, Number *x, Bool new_x, Number *obj, UserDataPtr user) {
    ipo *w = user;
    (void)n;
    (void)new_x;
    p_times(w, x, w->Px);
    double s = 0.0;
    for (int64_t j = 0; j < w->n; j++)
        s += x[j] * (0.5 * w->Px[j] + w->q[j]);
    *obj = s;
    return TRUE;
}

static Bool cb_grad_f(Index n, Number *x, Bool new_x, Number *grad, UserDataPtr user) {
    ipo *w = user;
    (void)n;
    (void)new_x;
    p_times(w, x, grad);
    for (int64_t j = 0; j < w->n; j++)
        grad[j] += w->q[j];
    return TRUE;
}

static Bool cb_g(Index n, Number *x, Bool new_x, Index m, Number *g, UserDataPtr user) {
    ipo *w = user;
    (void)n;
    (void)new_x;
    memset(g, 0, (size_t)m * sizeof *g);
    for (int64_t j = 0; j < w->n; j++)
        for (int64_t k = w->M->p[j]; k < w->M->p[j + 1]; k++)
            g[w->M->i[k]] += w->M->x[k] * x[j];
    return TRUE;
}

static Bool cb_jac_g(Index n, Number *x, Bool new_x, Index m, Index nele, Index *irow, Index *jcol,
                     Number *val, UserDataPtr user) {
    ipo *w = user;
    (void)n;
    (void)x;
    (void)new_x;
    (void)m;
    (void)nele;
    int64_t t = 0;
    for (int64_t j = 0; j < w->n; j++)
        for (int64_t k = w->M->p[j]; k < w->M->p[j + 1]; k++, t++) {
            if (val)
                val[t] = w->M->x[k];
            else {
                irow[t] = (Index)w->M->i[k];
                jcol[t] = (Index)j;
            }
        }
    if (w->jac_pad) {
        if (val)
            val[t] = 0.0;
        else
            irow[t] = jcol[t] = 0;
    }
    return TRUE;
}

/* Lower triangle of obj_factor * P: stored (i, j), i <= j, given as (j, i). */
static Bool cb_h(Index n, Number *x, Bool new_x, Number obj_factor, Index m, Number *lambda,
                 Bool new_lambda, Index nele, Index *irow, Index *jcol, Number *val,
                 UserDataPtr user) {
    ipo *w = user;
    (void)n;
    (void)x;
    (void)new_x;
    (void)m;
    (void)lambda;
    (void)new_lambda;
    (void)nele;
    int64_t t = 0;
    for (int64_t j = 0; j < w->n; j++)
        for (int64_t k = w->Pu->p[j]; k < w->Pu->p[j + 1]; k++, t++) {
            if (val)
                val[t] = obj_factor * w->Pu->x[k];
            else {
                irow[t] = (Index)j;
                jcol[t] = (Index)w->Pu->i[k];
            }
        }
    return TRUE;
}

/* Counts iterations; stops Ipopt (User_Requested_Stop) at the time limit. */
static Bool cb_iter(Index alg_mod, Index iter_count, Number obj, Number inf_pr, Number inf_du,
                    Number mu, Number d_norm, Number reg, Number alpha_du, Number alpha_pr,
                    Index ls_trials, UserDataPtr user) {
    ipo *w = user;
    (void)alg_mod;
    (void)obj;
    (void)inf_pr;
    (void)inf_du;
    (void)mu;
    (void)d_norm;
    (void)reg;
    (void)alpha_du;
    (void)alpha_pr;
    (void)ls_trials;
    w->iters = iter_count;
    if (isfinite(w->time_limit) && elapsed(&w->t0) > w->time_limit) {
        w->timed_out = 1;
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------ setup */

static void ipo_destroy(void *self) {
    ipo *w = self;
    if (!w)
        return;
    dqp_csc_free(w->Pu);
    dqp_csc_free(w->M);
    double *a[] = {w->q,       w->gl, w->gu, w->x,  w->g,      w->mult_g, w->mult_xl,
                   w->mult_xu, w->xl, w->xu, w->Px, w->warm_x, w->warm_y};
    for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
        dqp_free(a[k]);
    dqp_free(w);
}

static void load_vectors(ipo *w, const dqp_problem *prob) {
    memcpy(w->q, prob->q, (size_t)w->n * sizeof(double));
    for (int64_t i = 0; i < w->me; i++)
        w->gl[i] = w->gu[i] = prob->b[i];
    for (int64_t i = 0; i < w->mi; i++) {
        w->gl[w->me + i] = -DBL_MAX; /* <= nlp_lower_bound_inf: no lower bound */
        w->gu[w->me + i] = prob->d[i];
    }
}

static dqp_status check_keywords(const dqp_settings *s, dqp_message *msg) {
    char key[DQP_KEYWORDS_LEN], val[DQP_KEYWORDS_LEN];
    for (int i = 0; dqp_settings_keyword(s, i, key, sizeof key, val, sizeof val) == DQP_OK; i++) {
        const ipo_opt *o;
        double num;
        dqp_status st = check_option(key, val, &o, &num, msg);
        if (st != DQP_OK)
            return st;
    }
    return DQP_OK;
}

static dqp_status ipo_setup(void **self, const dqp_problem *prob, const dqp_settings *s,
                            dqp_message *msg) {
    if (!self || !prob || !s)
        return dqp_fail(msg, DQP_ERR_NULL, "ipopt: NULL argument to setup");
    *self = NULL;
    dqp_status st = check_keywords(s, msg);
    if (st != DQP_OK)
        return st;
    ipo *w = dqp_calloc(1, sizeof *w);
    if (!w)
        return dqp_fail(msg, DQP_ERR_NOMEM, "ipopt: out of memory");
    w->n = prob->n;
    w->me = prob->m_eq;
    w->mi = prob->m_ineq;
    w->m = w->me + w->mi;
    w->eps_abs = s->eps_abs;
    w->time_limit = s->time_limit;
    w->max_iter = s->max_iter;
    dqp_fmt(w->keywords, sizeof w->keywords, "%s", s->qp_solver_keywords);
    w->Pu = dqp_admm_upper_P(prob);
    w->M = dqp_admm_stack_rows(prob);
    int fail = !w->Pu || !w->M;
    if (!fail && (w->n >= INT_MAX || w->m >= INT_MAX || dqp_csc_nnz(w->M) >= INT_MAX ||
                  dqp_csc_nnz(w->Pu) >= INT_MAX)) {
        ipo_destroy(w);
        return dqp_fail(msg, DQP_ERR_DIMENSION,
                        "ipopt: problem too large for Ipopt's int indices (n = %lld, m = %lld)",
                        (long long)prob->n, (long long)(prob->m_eq + prob->m_ineq));
    }
    double **vn[] = {&w->q, &w->x, &w->mult_xl, &w->mult_xu, &w->xl, &w->xu, &w->Px, &w->warm_x};
    double **vm[] = {&w->gl, &w->gu, &w->g, &w->mult_g, &w->warm_y};
    for (size_t k = 0; k < sizeof vn / sizeof vn[0]; k++)
        fail |= !(*vn[k] = dqp_calloc(DQP_MAX(w->n, 1), sizeof(double)));
    for (size_t k = 0; k < sizeof vm / sizeof vm[0]; k++)
        fail |= !(*vm[k] = dqp_calloc(DQP_MAX(w->m, 1), sizeof(double)));
    if (fail) {
        ipo_destroy(w);
        return dqp_fail(msg, DQP_ERR_NOMEM, "ipopt: out of memory");
    }
    for (int64_t j = 0; j < w->n; j++) {
        w->xl[j] = -DBL_MAX; /* free variables */
        w->xu[j] = DBL_MAX;
    }
    w->jac_pad = w->m > 0 && dqp_csc_nnz(w->M) == 0;
    load_vectors(w, prob);
    *self = w;
    return DQP_OK;
}

static dqp_status ipo_update(void *self, const dqp_problem *prob, dqp_message *msg) {
    ipo *w = self;
    if (!w || !prob)
        return dqp_fail(msg, DQP_ERR_NULL, "ipopt: NULL argument to update");
    if (prob->n != w->n || prob->m_eq != w->me || prob->m_ineq != w->mi)
        return dqp_fail(msg, DQP_ERR_DIMENSION, "ipopt: update with different sizes");
    dqp_csc *Pu = dqp_admm_upper_P(prob), *M = dqp_admm_stack_rows(prob);
    if (!Pu || !M) {
        dqp_csc_free(Pu);
        dqp_csc_free(M);
        return dqp_fail(msg, DQP_ERR_NOMEM, "ipopt: out of memory in update");
    }
    /* Ipopt receives the pattern at each solve: a new pattern is fine too */
    dqp_csc_free(w->Pu);
    dqp_csc_free(w->M);
    w->Pu = Pu;
    w->M = M;
    w->jac_pad = w->m > 0 && dqp_csc_nnz(w->M) == 0;
    load_vectors(w, prob);
    return DQP_OK;
}

static dqp_status ipo_warm_start(void *self, const double *z, const double *lam, const double *mu,
                                 const unsigned char *active) {
    ipo *w = self;
    (void)active;
    if (!w)
        return DQP_ERR_NULL;
    if (z) {
        memcpy(w->warm_x, z, (size_t)w->n * sizeof(double));
        w->warm_x_set = 1;
    }
    if (lam || mu) {
        for (int64_t i = 0; i < w->me; i++)
            w->warm_y[i] = lam ? lam[i] : 0.0;
        for (int64_t i = 0; i < w->mi; i++)
            w->warm_y[w->me + i] = mu ? mu[i] : 0.0;
        w->warm_y_set = 1;
    }
    return DQP_OK;
}

/* ------------------------------------------------------------ solve */

/* Defaults first, then the user's keywords (already checked at setup). */
static int set_options(ipo *w, IpoptProblem p) {
    char key[DQP_KEYWORDS_LEN], val[DQP_KEYWORDS_LEN];
    int ok = AddIpoptIntOption(p, "print_level", 0) && AddIpoptStrOption(p, "sb", "yes") &&
             AddIpoptStrOption(p, "option_file_name", "") &&
             AddIpoptStrOption(p, "hessian_constant", "yes") &&
             AddIpoptStrOption(p, "jac_c_constant", "yes") &&
             AddIpoptStrOption(p, "jac_d_constant", "yes") &&
             AddIpoptNumOption(p, "tol", fmax(w->eps_abs, 1e-14)) &&
             AddIpoptNumOption(p, "bound_relax_factor", fmin(1e-8, w->eps_abs));
    if (ok && w->max_iter > 0)
        ok = AddIpoptIntOption(p, "max_iter", (Int)DQP_MIN(w->max_iter, (int64_t)INT_MAX));
    if (ok && w->warm_y_set)
        ok = AddIpoptStrOption(p, "warm_start_init_point", "yes");
    dqp_settings tmp;
    dqp_fmt(tmp.qp_solver_keywords, sizeof tmp.qp_solver_keywords, "%s", w->keywords);
    for (int i = 0; ok && dqp_settings_keyword(&tmp, i, key, sizeof key, val, sizeof val) == DQP_OK;
         i++) {
        const ipo_opt *o;
        double num;
        if (check_option(key, val, &o, &num, NULL) != DQP_OK)
            return 0;
        if (o->type == 'N')
            ok = AddIpoptNumOption(p, key, num);
        else if (o->type == 'I')
            ok = AddIpoptIntOption(p, key, (Int)num);
        else
            ok = AddIpoptStrOption(p, key, val);
    }
    return ok;
}

static dqp_qp_status map_status(enum ApplicationReturnStatus r, int timed_out) {
    switch (r) {
    case Solve_Succeeded:
        return DQP_QP_SOLVED;
    case Solved_To_Acceptable_Level:
        return DQP_QP_SOLVED_INACCURATE;
    case Infeasible_Problem_Detected:
        return DQP_QP_PRIMAL_INFEASIBLE;
    case Diverging_Iterates:
        return DQP_QP_DUAL_INFEASIBLE;
    case User_Requested_Stop:
        return timed_out ? DQP_QP_TIME_LIMIT : DQP_QP_NUMERICAL_ERROR;
    case Maximum_Iterations_Exceeded:
        return DQP_QP_MAX_ITER;
    case Maximum_CpuTime_Exceeded:
        return DQP_QP_TIME_LIMIT;
    default:
        return DQP_QP_NUMERICAL_ERROR;
    }
}

/* Create, configure, solve and free one IpoptProblem. *err is set (and
 * Internal_Error returned) when Ipopt cannot be set up. */
static enum ApplicationReturnStatus ipo_run(ipo *w, dqp_message *msg, dqp_status *err) {
    Index nj = (Index)(dqp_csc_nnz(w->M) + w->jac_pad), nh = (Index)dqp_csc_nnz(w->Pu);
    IpoptProblem p = CreateIpoptProblem((Index)w->n, w->xl, w->xu, (Index)w->m, w->gl, w->gu, nj,
                                        nh, 0, cb_f, cb_g, cb_grad_f, cb_jac_g, cb_h);
    if (!p) {
        *err = dqp_fail(msg, DQP_ERR_BACKEND, "ipopt: CreateIpoptProblem failed");
        return Internal_Error;
    }
    if (!set_options(w, p) || !SetIntermediateCallback(p, cb_iter)) {
        FreeIpoptProblem(p);
        *err = dqp_fail(msg, DQP_ERR_BACKEND, "ipopt: setting options failed");
        return Internal_Error;
    }
    Number obj;
    enum ApplicationReturnStatus r =
        IpoptSolve(p, w->x, w->m ? w->g : NULL, &obj, w->mult_g, w->mult_xl, w->mult_xu, w);
    FreeIpoptProblem(p);
    return r;
}

/* n = 0: the only point is the empty one. */
static dqp_qp_status solve_empty(const ipo *w) {
    for (int64_t i = 0; i < w->m; i++)
        if (i < w->me ? w->gl[i] != 0.0 : w->gu[i] < 0.0)
            return DQP_QP_PRIMAL_INFEASIBLE;
    return DQP_QP_SOLVED;
}

static dqp_status ipo_solve(void *self, dqp_qp_output *out, dqp_message *msg) {
    ipo *w = self;
    if (!w || !out)
        return dqp_fail(msg, DQP_ERR_NULL, "ipopt: NULL argument to solve");
    clock_gettime(CLOCK_MONOTONIC, &w->t0);
    w->iters = 0;
    w->timed_out = 0;
    for (int64_t j = 0; j < w->n; j++)
        w->x[j] = w->warm_x_set ? w->warm_x[j] : 0.0;
    for (int64_t i = 0; i < w->m; i++)
        w->mult_g[i] = w->warm_y_set ? w->warm_y[i] : 0.0;
    memset(w->mult_xl, 0, (size_t)w->n * sizeof(double));
    memset(w->mult_xu, 0, (size_t)w->n * sizeof(double));
    dqp_qp_status qs;
    dqp_status err = DQP_OK;
    if (w->n == 0) {
        qs = solve_empty(w);
    } else {
        /* Ipopt factors with MUMPS, whose Fortran modules and instance table
         * are global: two Ipopt problems alive at once in an OpenMP batch
         * abort the process ("Attempt to DEALLOCATE unallocated 'load_flops'",
         * "Instance Error 1 in DMUMPS_F77"). The whole life of the
         * IpoptProblem (create, solve, free) runs under the lock. */
        dqp_extlib_lock();
        enum ApplicationReturnStatus r = ipo_run(w, msg, &err);
        dqp_extlib_unlock();
        /* an error is reported below, after the warm start is consumed */
        if (err == DQP_OK && r == Insufficient_Memory)
            err = dqp_fail(msg, DQP_ERR_NOMEM, "ipopt: out of memory (Insufficient_Memory)");
        else if (err == DQP_OK && r == Invalid_Option)
            err = dqp_fail(msg, DQP_ERR_VALUE, "ipopt: Invalid_Option");
        qs = map_status(r, w->timed_out);
    }
    w->warm_x_set = w->warm_y_set = 0;
    if (err != DQP_OK)
        return err;
    int duals = qs == DQP_QP_SOLVED || qs == DQP_QP_SOLVED_INACCURATE;
    memcpy(out->z, w->x, (size_t)w->n * sizeof(double));
    for (int64_t i = 0; i < w->me; i++)
        out->lam[i] = duals ? w->mult_g[i] : 0.0;
    for (int64_t i = 0; i < w->mi; i++)
        out->mu[i] = duals ? w->mult_g[w->me + i] : 0.0;
    p_times(w, w->x, w->Px);
    double obj = 0.0;
    for (int64_t j = 0; j < w->n; j++)
        obj += w->x[j] * (0.5 * w->Px[j] + w->q[j]);
    out->objective = obj;
    out->status = qs;
    out->iterations = w->iters;
    out->has_duals = duals;
    return DQP_OK;
}

const dqp_qp_backend dqp_backend_ipopt = {
    "ipopt",
    "Ipopt interior point (COIN-OR, MUMPS), sparse; duals from its multipliers",
    DQP_CAP_DUALS | DQP_CAP_SPARSE | DQP_CAP_DENSE | DQP_CAP_WARM | DQP_CAP_QUADRATIC,
    ipo_setup,
    ipo_update,
    ipo_warm_start,
    ipo_solve,
    ipo_destroy,
    NULL,
    NULL,
    NULL,
    NULL};

#else

typedef int dqp_ipopt_unavailable; /* keeps the translation unit non-empty */

#endif
