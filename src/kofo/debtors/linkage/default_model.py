"""The model used when the data are too few to estimate one (fewer than ``ESTIMATION_RECORDS_MIN`` records).

Estimated by :func:`kofo.debtors.linkage.model.estimate_model` on 100,000 synthetic records
(:mod:`kofo.debtors.linkage.synthetic`, seed 20260101) with the default thresholds; regenerate it with
``python bench/linkage.py --write-default-model`` after a change to the comparisons. Kept as a Python
string so that the engine reads no file.
"""

from __future__ import annotations

from kofo.debtors.linkage.model import LinkageModel

DEFAULT_MODEL_JSON = """
{
 "duplicates_per_record": 2.1526668144867385,
 "fields": [
  {
   "levels": [
    {
     "m": 0.7576083749305277,
     "name": "exact",
     "u": 0.0008545142
    },
    {
     "m": 0.05709712964179617,
     "name": "variant",
     "u": 0.00017624589627352738
    },
    {
     "m": 0.022374694779061004,
     "name": "birth_name",
     "u": 8.874793358454213e-05
    },
    {
     "m": 0.07663955352757752,
     "name": "close",
     "u": 0.0012137217395857807
    },
    {
     "m": 0.014730419770330655,
     "name": "far",
     "u": 0.007653571793495092
    },
    {
     "m": 0.07154982735070688,
     "name": "different",
     "u": 0.990013198437061
    }
   ],
   "name": "surname",
   "term_frequency": true,
   "tf_reference": 0.0008545142
  },
  {
   "levels": [
    {
     "m": 0.8208120792605236,
     "name": "exact",
     "u": 0.010059514461814145
    },
    {
     "m": 0.08493402210823993,
     "name": "first_or_subset",
     "u": 0.004454145882811526
    },
    {
     "m": 0.08004100521031932,
     "name": "close",
     "u": 0.002208946330319384
    },
    {
     "m": 0.014212893420917262,
     "name": "far",
     "u": 0.003669076106104919
    },
    {
     "m": 1e-07,
     "name": "different",
     "u": 0.97960831721895
    }
   ],
   "name": "given_names",
   "term_frequency": true,
   "tf_reference": 0.010059514461814145
  },
  {
   "levels": [
    {
     "m": 0.8975779819915125,
     "name": "exact",
     "u": 8.957101308719063e-05
    },
    {
     "m": 0.00796753894738282,
     "name": "day_month_swapped",
     "u": 3.295585404698854e-05
    },
    {
     "m": 0.01482234112327157,
     "name": "digits_transposed",
     "u": 4.237181234612812e-05
    },
    {
     "m": 0.06722724148222799,
     "name": "one_component_off",
     "u": 0.005136405252180642
    },
    {
     "m": 0.000617943993973375,
     "name": "year_only",
     "u": 0.0187801288276339
    },
    {
     "m": 0.011786952461631814,
     "name": "different",
     "u": 0.9759185672407051
    }
   ],
   "name": "birth_date",
   "term_frequency": false,
   "tf_reference": 0.0
  },
  {
   "levels": [
    {
     "m": 0.6848497966029563,
     "name": "exact",
     "u": 4.375661818850101e-05
    },
    {
     "m": 0.07537399395422746,
     "name": "same_street",
     "u": 0.00014877250184090345
    },
    {
     "m": 0.06198646310878703,
     "name": "same_place",
     "u": 0.05797751909976384
    },
    {
     "m": 0.00909385115201431,
     "name": "same_area",
     "u": 0.043535334719376304
    },
    {
     "m": 0.16869589518201486,
     "name": "different",
     "u": 0.8982946170608305
    }
   ],
   "name": "address",
   "term_frequency": false,
   "tf_reference": 0.0
  },
  {
   "levels": [
    {
     "m": 0.9473684210526315,
     "name": "same",
     "u": 0.5
    },
    {
     "m": 0.05263157894736842,
     "name": "different",
     "u": 0.5
    }
   ],
   "name": "partner_id",
   "term_frequency": false,
   "tf_reference": 0.0
  }
 ],
 "format": "kofo-linkage-model/1",
 "household_per_record": 1.7921652655870677,
 "tf_minimum": 1e-05,
 "thresholds": {
  "link": 2.0,
  "review": -4.0,
  "veto": -2.0
 },
 "training": {
  "candidate_pairs": 584414,
  "records": 100000,
  "seed": 1969,
  "sessions": [
   {
    "conditioned_on": [
     "birth_date"
    ],
    "converged": true,
    "iterations": 9,
    "match_share": 0.8456387832845792,
    "pairs": 95290
   },
   {
    "conditioned_on": [
     "surname",
     "given_names"
    ],
    "converged": true,
    "iterations": 8,
    "match_share": 0.6467656691007435,
    "pairs": 109808
   },
   {
    "conditioned_on": [],
    "converged": true,
    "iterations": 2,
    "match_share": 2.1526883413701522e-05,
    "pairs": 584414
   }
  ],
  "source": "synthetic benchmark data (kofo.debtors.linkage.synthetic, 100,000 records, seed 20260101)",
  "trained_at": "2026-11-25",
  "u_sample_pairs": 399994
 },
 "version": "kofo-default-2"
}
"""

DEFAULT_MODEL = LinkageModel.from_json(DEFAULT_MODEL_JSON)
