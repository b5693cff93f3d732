package compat

import "testing"

func TestSortDiff(t *testing.T) {
	diffScript(t, `
		rpush l 3 1 2 10 -5 2.5 1e2
		sort l
		sort l desc
		sort l limit 1 3
		sort l limit -1 2
		sort l limit 2 -1
		sort l limit 100 5
		sort l limit 0 0
		sort l limit 6 100 desc
		sort_ro l desc limit 0 2
		sort l alpha
		sort l alpha desc
		rpush w b a c a
		sort w
		sort w alpha
		sort w alpha limit 1 2
		rpush ties 3 03 3.0 +3
		sort ties
		sort ties desc
		sort missing
		sort missing alpha limit 0 10
		sadd s 5 3 9 1
		sort s
		sort s desc limit 1 2
		sadd ws x b y a
		sort ws alpha
		sort ws store dst
		sort ws by nosort store dst
		lrange dst 0 -1
		sort s by nosort store dst2
		lrange dst2 0 -1
		zadd z 1 c 2 a 3 b 4 d
		sort z alpha
		sort z by nosort
		sort z by nosort desc
		sort z by nosort limit 1 2
		sort z by nosort desc limit 1 2
		sort z by nosort limit 2 100
		sort z by nosort limit -1 1
		sort z by nosort desc limit 3 1
		sort z by nosort limit 10 1
		set w_a 30
		set w_b 10
		set w_c 20
		set name_a Alice
		set name_c Carol
		hset h_a f 3 g zz
		hset h_b f 1 g yy
		hset h_c f 2
		sort z by w_*
		sort z by w_* desc
		sort z by w_* get # get name_*
		sort z by h_*->f get h_*->g get #
		sort z by h_*->g alpha get #
		sort z by w_* get name_* get missing_* get h_*->missing get nostar
		sort z by nosort get name_*
		sort z by w_* alpha get #
		sort z by w_* store out get name_*
		lrange out 0 -1
		type out
		sort z by w_* limit 1 1 get # store out
		lrange out 0 -1
		sort z limit 10 10 store out
		exists out
		sort missing store out
		rpush nums 1 2 x
		sort nums
		sort nums alpha
		sort nums by nosort
		rpush sp \s5 7 5\s
		sort sp
		set str x
		sort str
		sort_ro str
		sort l foo
		sort l limit 1
		sort l limit a 1
		sort l store
		sort_ro l store dst
		sort str foo
		sort l by
		sort l get
		sort l asc desc asc
		hset hh a 1
		sort hh
		sort l by h_*->f get #
		set hlist_a x
		sort w by hlist_*->f alpha
		sort w by w_*->
		sort sort s by nosort
		sort sort s by nosort get # get name_*
		rpush big 1e400 2
		sort big
		rpush nanl nan 1
		sort nanl
		rpush hex 0x10 2 inf -inf
		sort hex
		sort l by w_* get # limit 0 3
		command getkeys sort l
		command getkeys sort l by x get y limit 0 1 store d
		command getkeys sort l store a store b
	`)
}
