// SPDX-License-Identifier: MIT
/*
 * The interactive view (ncurses): a header per GPU with engine bars and
 * history, then the vGPU and channel tables. Drawn into stdscr and
 * flushed with wnoutrefresh()/doupdate(), so only what changed is sent.
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

struct tui {
	bool color;
	bool paused;
	bool help;
	enum view view;
	bool focus_chans;	/* the table sort keys act on */
	int vsort, csort;
	bool vrev, crev;
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
	int cols, lines;

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
	t->vsort = VCOL_SHARE;
	t->vrev = true;
	t->csort = CCOL_UTIL;
	t->crev = true;
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
			printw("rst %-3s", short_count(rst, sizeof(rst), e->resets));
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

static int vgpu_table(struct tui *t, struct snapshot *s, int row, int last, int cols)
{
	char line[256];
	size_t i;

	vgpu_header(line, sizeof(line));
	header_line(t, row++, cols, line, !t->focus_chans);
	sort_vgpus(s->vg, s->nvg, t->vsort, t->vrev);
	for (i = 0; i < s->nvg && row <= last; i++) {
		const struct snap_vgpu *v = &s->vg[i];
		bool under = v->active && v->share < v->target * 0.9;

		if (!snap_vgpu_match(v, s, t->filter))
			continue;
		vgpu_row(line, sizeof(line), v);
		attr(t, PAIR_UNDER, under);
		mvprintw(row++, 0, "%-.*s", cols, line);
		attr(t, PAIR_UNDER, false);
	}
	return row;
}

static int chan_table(struct tui *t, struct snapshot *s, int row, int last, int cols)
{
	char line[256];
	size_t i;

	chan_header(line, sizeof(line));
	header_line(t, row++, cols, line, t->focus_chans);
	sort_chans(s->ch, s->nch, t->csort, t->crev);
	for (i = 0; i < s->nch && row <= last; i++) {
		if (!snap_chan_match(&s->ch[i], t->filter))
			continue;
		chan_row(line, sizeof(line), &s->ch[i]);
		mvprintw(row++, 0, "%-.*s", cols, line);
	}
	return row;
}

static void footer(struct tui *t, int lines, int cols)
{
	const char *const *names = t->focus_chans ? chan_cols : vgpu_cols;
	int col = t->focus_chans ? t->csort : t->vsort;
	bool rev = t->focus_chans ? t->crev : t->vrev;
	char buf[160];

	snprintf(buf, sizeof(buf),
		 "q:quit h:help <>:sort %s%s r:rev f:filter spc:pause +-:delay v:view %s",
		 names[col], rev ? " v" : " ^", view_names[t->view]);
	attron(A_REVERSE);
	mvprintw(lines - 1, 0, "%-*.*s", cols, cols, buf);
	attroff(A_REVERSE);
}

static void help(int lines, int cols)
{
	static const char *const text[] = {
		"gpustat keys",
		"",
		"  q          quit",
		"  h, ?       this help (any key closes it)",
		"  < >        sort the focused table by the previous/next column",
		"  r          reverse the sort order",
		"  tab        focus the other table (sort keys act on it)",
		"  f          filter: a vGPU name, a pid or part of a command",
		"  space, p   pause / resume",
		"  + -        double / halve the refresh interval",
		"  v          switch views: all, vGPUs, channels",
		"",
		"TARGET: the vGPU's weight over the busy vGPUs' weights, capped.",
		"SHARE: its part of the GPU's busy engine time in the interval.",
		"RST: its jobs stopped as hung (past the GPU's job_timeout_ms).",
		"sw: engine time spent switching contexts (charged to nobody).",
	};
	int n = sizeof(text) / sizeof(text[0]), i;
	int top = (lines - n) / 2, left = (cols - 70) / 2;

	for (i = 0; i < n; i++)
		mvprintw(top + i, left < 0 ? 0 : left, "%-70.70s", text[i]);
}

void tui_draw(struct tui *t, const struct snapshot *cs)
{
	struct snapshot *s = (struct snapshot *)cs;	/* rows sorted in place */
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
		vgpu_table(t, s, row, lines - 2, cols);
	else if (t->view == VIEW_CHANNELS)
		chan_table(t, s, row, lines - 2, cols);
	else
		chan_table(t, s, vgpu_table(t, s, row, mid, cols) + 1, lines - 2, cols);
	footer(t, lines, cols);
	if (t->help)
		help(lines, cols);
	wnoutrefresh(stdscr);
	doupdate();
}

static void prompt_filter(struct tui *t)
{
	int lines, cols;
	char buf[64] = "";

	getmaxyx(stdscr, lines, cols);
	mvprintw(lines - 1, 0, "%-*s", cols, "");
	mvprintw(lines - 1, 0, "filter (vGPU, pid or command; empty: none): ");
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
	int *col = t->focus_chans ? &t->csort : &t->vsort;
	int n = t->focus_chans ? CCOL_COUNT : VCOL_COUNT;

	*col = (*col + step + n) % n;
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
		if (t->focus_chans)
			t->crev = !t->crev;
		else
			t->vrev = !t->vrev;
		break;
	case '\t':
		t->focus_chans = !t->focus_chans;
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
		t->focus_chans = t->view == VIEW_CHANNELS;
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
