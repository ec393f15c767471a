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
 "duplicates_per_record": 2.1733860861251357,
 "fields": [
  {
   "levels": [
    {
     "m": 0.7341668295097684,
     "name": "exact",
     "u": 0.0008545142
    },
    {
     "m": 0.0738301820955583,
     "name": "variant",
     "u": 0.00017624589627352738
    },
    {
     "m": 0.02219321003406613,
     "name": "birth_name",
     "u": 8.874793358454213e-05
    },
    {
     "m": 0.07596465195689428,
     "name": "close",
     "u": 0.0012137217395857807
    },
    {
     "m": 0.014784587051774045,
     "name": "far",
     "u": 0.007653571793495092
    },
    {
     "m": 0.07906053935193884,
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
     "m": 0.7961723285889234,
     "name": "exact",
     "u": 0.010059514461814145
    },
    {
     "m": 0.10194981487485139,
     "name": "first_or_subset",
     "u": 0.004454145882811526
    },
    {
     "m": 0.08674525613200315,
     "name": "close",
     "u": 0.00682685676846302
    },
    {
     "m": 0.01513260040422196,
     "name": "far",
     "u": 0.006249305435917714
    },
    {
     "m": 1e-07,
     "name": "different",
     "u": 0.9724101774509936
    }
   ],
   "name": "given_names",
   "term_frequency": true,
   "tf_reference": 0.010059514461814145
  },
  {
   "levels": [
    {
     "m": 0.897671594842205,
     "name": "exact",
     "u": 8.957101308719063e-05
    },
    {
     "m": 0.007831486856783216,
     "name": "day_month_swapped",
     "u": 3.295585404698854e-05
    },
    {
     "m": 0.014681376957218073,
     "name": "digits_transposed",
     "u": 4.237181234612812e-05
    },
    {
     "m": 0.06725434261868299,
     "name": "one_component_off",
     "u": 0.005136405252180642
    },
    {
     "m": 0.0006110352594451249,
     "name": "year_only",
     "u": 0.0187801288276339
    },
    {
     "m": 0.011950163465665619,
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
     "m": 0.6822419814742897,
     "name": "exact",
     "u": 4.375661818850101e-05
    },
    {
     "m": 0.07521788140024033,
     "name": "same_street",
     "u": 0.00014877250184090345
    },
    {
     "m": 0.06192931322583548,
     "name": "same_place",
     "u": 0.05797751909976384
    },
    {
     "m": 0.009336498055869065,
     "name": "same_area",
     "u": 0.043535334719376304
    },
    {
     "m": 0.17127432584376545,
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
 "household_per_record": 1.7847818135238158,
 "tf_minimum": 1e-05,
 "thresholds": {
  "link": 2.0,
  "review": -4.0,
  "veto": -2.0
 },
 "training": {
  "candidate_pairs": 584447,
  "records": 100000,
  "seed": 1969,
  "sessions": [
   {
    "conditioned_on": [
     "birth_date"
    ],
    "converged": true,
    "iterations": 11,
    "match_share": 0.8539259962772598,
    "pairs": 95295
   },
   {
    "conditioned_on": [
     "surname",
     "given_names"
    ],
    "converged": true,
    "iterations": 8,
    "match_share": 0.6469467834283121,
    "pairs": 106587
   },
   {
    "conditioned_on": [],
    "converged": true,
    "iterations": 2,
    "match_share": 2.1734078202033376e-05,
    "pairs": 584447
   }
  ],
  "source": "synthetic benchmark data (kofo.debtors.linkage.synthetic, 100,000 records, seed 20260101)",
  "trained_at": "2026-11-25",
  "u_sample_pairs": 399994
 },
 "version": "kofo-default-1"
}
"""

DEFAULT_MODEL = LinkageModel.from_json(DEFAULT_MODEL_JSON)
