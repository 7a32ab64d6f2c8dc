// SPDX-License-Identifier: MIT
/*
 * The interactive view (ncurses): a header per GPU with engine bars and
 * history, then the vGPU and channel tables (the text report's columns).
 * Drawn into stdscr and flushed with wnoutrefresh()/doupdate(), so only
 * what changed is sent.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "table.h"

enum view { VIEW_BOTH, VIEW_VGPUS, VIEW_CHANNELS, VIEW_COUNT };
enum pair { PAIR_TITLE = 1, PAIR_LOW, PAIR_MID, PAIR_HIGH, PAIR_UNDER };
enum tab { TAB_VGPU, TAB_CHAN, TAB_COUNT };

struct tui {
	bool color;
	bool paused;
	bool help;
	enum view view;
	enum tab focus;		/* the table sort keys act on */
	const struct cols *cols[TAB_COUNT];
	int sort[TAB_COUNT];	/* a column of cols[] */
	bool rev[TAB_COUNT];
	double delay;
	char filter[64];
};

static const char *const view_names[VIEW_COUNT] = { "all", "vgpus", "channels" };

static bool term_size(int *cols, int *lines)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col)
		return false;
	*cols = ws.ws_col;
	*lines = ws.ws_row;
	return true;
}

static void colors(void)
{
	start_color();
	use_default_colors();
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_LOW, COLOR_GREEN, -1);
	init_pair(PAIR_MID, COLOR_YELLOW, -1);
	init_pair(PAIR_HIGH, COLOR_RED, -1);
	init_pair(PAIR_UNDER, COLOR_RED, -1);
}

int tui_start(struct tui **tp, const struct gs_opts *o)
{
	struct tui *t;
	int cols, lines, i;

	if (term_size(&cols, &lines) && (cols < GS_MIN_COLS || lines < GS_MIN_LINES)) {
		gs_err("the terminal is %dx%d; the interactive view needs at least %dx%d (enlarge it, or use -b for text)",
		       cols, lines, GS_MIN_COLS, GS_MIN_LINES);
		return GS_TERM_SMALL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		gs_err("out of memory");
		return GS_ERR;
	}
	t->delay = o->delay;
	t->color = o->color;
	t->cols[TAB_VGPU] = &o->cols[OBJ_VGPU];
	t->cols[TAB_CHAN] = &o->cols[o->group];
	for (i = 0; i < TAB_COUNT; i++) {
		int c = cols_find(t->cols[i], t->cols[i]->obj->sort);

		t->sort[i] = c < 0 ? 0 : c;
		t->rev[i] = c >= 0;	/* the largest first */
	}
	if (o->filter)
		snprintf(t->filter, sizeof(t->filter), "%s", o->filter);
	if (!initscr()) {
		free(t);
		gs_err("cannot initialise the terminal (TERM=%s)", getenv("TERM") ?: "");
		return GS_ERR;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (t->color && has_colors())
		colors();
	else
		t->color = false;
	*tp = t;
	return GS_OK;
}

void tui_stop(struct tui *t)
{
	if (!t)
		return;
	endwin();
	free(t);
}

bool tui_paused(const struct tui *t)
{
	return t->paused;
}

double tui_delay(const struct tui *t)
{
	return t->delay;
}

static void attr(struct tui *t, int pair, bool on)
{
	if (!t->color)
		return;
	if (on)
		attron(COLOR_PAIR(pair));
	else
		attroff(COLOR_PAIR(pair));
}

static int util_pair(double u)
{
	return u < 0.5 ? PAIR_LOW : u < 0.85 ? PAIR_MID : PAIR_HIGH;
}

static void title(struct tui *t, const struct snapshot *s, int cols)
{
	char buf[256], tm[16];
	time_t now = time(NULL);

	strftime(tm, sizeof(tm), "%H:%M:%S", localtime(&now));
	snprintf(buf, sizeof(buf), "gpustat %s%s  every %.1fs  policy %s (%s)%s%s%s",
		 s->replay ? "replay" : tm, t->paused ? " [paused]" : "", t->delay,
		 s->policy, s->policy_state, t->filter[0] ? "  filter: " : "", t->filter,
		 s->lost ? "  [events lost]" : "");
	attron(A_REVERSE);
	attr(t, PAIR_TITLE, true);
	mvprintw(0, 0, "%-*.*s", cols, cols, buf);
	attr(t, PAIR_TITLE, false);
	attroff(A_REVERSE);
}

/*
 * One line per engine: bar, queue, switching's part of the interval,
 * resets (red once there is one), history. Returns the next row.
 */
static int engines(struct tui *t, const struct snapshot *s, int row, int cols)
{
	char bar[64], hist[GS_HISTORY + 1], rst[16];
	uint32_t gpu;
	size_t i;

	for (gpu = 0; gpu < s->ngpus; gpu++) {
		mvprintw(row++, 0, "gpu%u", gpu);
		for (i = 0; i < s->neng; i++) {
			const struct snap_engine *e = &s->eng[i];

			if (e->gpu != gpu)
				continue;
			util_bar(bar, sizeof(bar), e->util, 28);
			history_line(hist, sizeof(hist), e->history, e->hist_len, cols - 64);
			mvprintw(row, 0, "  %-9.9s ", e->name);
			attr(t, util_pair(e->util), true);
			printw("%s", bar);
			attr(t, util_pair(e->util), false);
			printw(" q%-3u sw%5.1f%% ", e->queued, e->switch_util * 100);
			attr(t, PAIR_HIGH, e->resets > 0);
			printw("rst %-3s", fit_count(rst, sizeof(rst), e->resets, 3));
			attr(t, PAIR_HIGH, false);
			printw(" %s", hist);
			row++;
		}
	}
	return row;
}

static void header_line(struct tui *t, int row, int cols, const char *text, bool focus)
{
	attron(focus ? A_REVERSE | A_BOLD : A_REVERSE);
	mvprintw(row, 0, "%-*.*s", cols, cols, text);
	attroff(A_REVERSE | A_BOLD);
}

/* A vGPU under 90% of its target shows in red. */
static bool under_target(enum tab tab, const void *row)
{
	const struct snap_vgpu *v = row;

	return tab == TAB_VGPU && v->active && v->share < v->target * 0.9;
}

static bool visible(const struct tui *t, const struct snapshot *s, enum tab tab,
		    const void *row)
{
	if (tab == TAB_VGPU)
		return snap_vgpu_match(row, s, t->filter);
	if (t->cols[tab]->obj == objects[OBJ_CGROUP])
		return snap_cgroup_match(row, s, t->filter);
	if (t->cols[tab]->obj == objects[OBJ_PROC])
		return snap_proc_match(row, t->filter);
	return snap_chan_match(row, t->filter);
}

/* Table @tab from @row to @last at most, sorted; returns the next row. */
static int table(struct tui *t, const struct snapshot *s, enum tab tab, int row, int last,
		 int cols)
{
	const struct cols *cs = t->cols[tab];
	char line[GS_LINE];
	size_t n, i, *idx;
	const char *rows = obj_rows(cs->obj, s, &n);

	table_header(cs, line, sizeof(line));
	header_line(t, row++, cols, line, t->focus == tab);
	idx = calloc(n + 1, sizeof(*idx));
	if (!idx)
		return row;
	table_sort(cs, t->sort[tab], t->rev[tab], rows, idx, n);
	for (i = 0; i < n && row <= last; i++) {
		const void *r = rows + idx[i] * cs->obj->size;

		if (!visible(t, s, tab, r))
			continue;
		table_row(cs, r, line, sizeof(line));
		attr(t, PAIR_UNDER, under_target(tab, r));
		mvprintw(row++, 0, "%-.*s", cols, line);
		attr(t, PAIR_UNDER, false);
	}
	free(idx);
	return row;
}

static void footer(struct tui *t, int lines, int cols)
{
	const struct cols *cs = t->cols[t->focus];
	char buf[160], h[64];

	snprintf(buf, sizeof(buf),
		 "q:quit h:help <>:sort %s%s r:rev f:filter spc:pause +-:delay v:view %s",
		 col_header(&cs->c[t->sort[t->focus]], h, sizeof(h)),
		 t->rev[t->focus] ? " v" : " ^", view_names[t->view]);
	attron(A_REVERSE);
	mvprintw(lines - 1, 0, "%-*.*s", cols, cols, buf);
	attroff(A_REVERSE);
}

/* The keys, then what the focused table's columns are, as fits. */
static void help(struct tui *t, int lines, int cols)
{
	static const char *const text[] = {
		"gpustat keys",
		"",
		"  q          quit",
		"  h, ?       this help (any key closes it)",
		"  < >        sort the focused table by the previous/next column",
		"  r          reverse the sort order",
		"  tab        focus the other table (sort keys act on it)",
		"  f          filter: a vGPU name, a pid, part of a command, cgroup=GLOB",
		"  space, p   pause / resume",
		"  + -        double / halve the refresh interval",
		"  v          switch views: all, vGPUs, channels",
		"",
		"Engines: q runnable channels waiting, sw switching's part of the",
		"interval (charged to nobody), rst jobs stopped as hung.",
		"",
	};
	const struct cols *cs = t->cols[t->focus];
	int n = sizeof(text) / sizeof(text[0]), i, w = cols - 2;
	int top = (lines - n - cs->n) / 2;
	char h[64];

	top = top < 0 ? 0 : top;
	for (i = 0; i < n && top + i < lines; i++)
		mvprintw(top + i, 0, "  %-*.*s", w, w, text[i]);
	for (i = 0; i < cs->n && top + n + i < lines; i++)
		mvprintw(top + n + i, 0, "  %-14s %-*.*s", col_header(&cs->c[i], h, sizeof(h)),
			 w - 15, w - 15, cs->c[i].f->help);
}

void tui_draw(struct tui *t, const struct snapshot *s)
{
	int lines, cols, row, mid;

	getmaxyx(stdscr, lines, cols);
	werase(stdscr);
	if (cols < GS_MIN_COLS || lines < GS_MIN_LINES) {
		mvprintw(0, 0, "terminal too small: %dx%d, need %dx%d", cols, lines,
			 GS_MIN_COLS, GS_MIN_LINES);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	title(t, s, cols);
	row = engines(t, s, 1, cols) + 1;
	mid = row + (lines - 2 - row) / 2;
	if (t->view == VIEW_VGPUS)
		table(t, s, TAB_VGPU, row, lines - 2, cols);
	else if (t->view == VIEW_CHANNELS)
		table(t, s, TAB_CHAN, row, lines - 2, cols);
	else
		table(t, s, TAB_CHAN, table(t, s, TAB_VGPU, row, mid, cols) + 1, lines - 2, cols);
	footer(t, lines, cols);
	if (t->help)
		help(t, lines, cols);
	wnoutrefresh(stdscr);
	doupdate();
}

static void prompt_filter(struct tui *t)
{
	int lines, cols;
	char buf[64] = "";

	getmaxyx(stdscr, lines, cols);
	mvprintw(lines - 1, 0, "%-*s", cols, "");
	mvprintw(lines - 1, 0, "filter (vGPU, pid, command or cgroup=GLOB; empty: none): ");
	echo();
	curs_set(1);
	timeout(-1);
	getnstr(buf, sizeof(buf) - 1);
	noecho();
	curs_set(0);
	snprintf(t->filter, sizeof(t->filter), "%s", buf);
}

static void sort_key(struct tui *t, int step)
{
	int n = t->cols[t->focus]->n;

	t->sort[t->focus] = (t->sort[t->focus] + step + n) % n;
}

static enum tui_action key(struct tui *t, int ch)
{
	if (t->help && ch != ERR && ch != KEY_RESIZE) {
		t->help = false;
		return TUI_REDRAW;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return TUI_QUIT;
	case 'h':
	case '?':
		t->help = true;
		break;
	case '<':
	case ',':
		sort_key(t, -1);
		break;
	case '>':
	case '.':
		sort_key(t, 1);
		break;
	case 'r':
		t->rev[t->focus] = !t->rev[t->focus];
		break;
	case '\t':
		t->focus = t->focus == TAB_VGPU ? TAB_CHAN : TAB_VGPU;
		break;
	case 'f':
	case '/':
		prompt_filter(t);
		break;
	case ' ':
	case 'p':
		t->paused = !t->paused;
		break;
	case '+':
		t->delay = t->delay * 2 > 3600 ? 3600 : t->delay * 2;
		break;
	case '-':
		t->delay = t->delay / 2 < 0.1 ? 0.1 : t->delay / 2;
		break;
	case 'v':
		t->view = (t->view + 1) % VIEW_COUNT;
		t->focus = t->view == VIEW_CHANNELS ? TAB_CHAN : TAB_VGPU;
		break;
	case KEY_RESIZE:
		break;
	default:
		return TUI_NONE;
	}
	return TUI_REDRAW;
}

enum tui_action tui_input(struct tui *t, int ms)
{
	timeout(ms);
	return key(t, getch());
}
