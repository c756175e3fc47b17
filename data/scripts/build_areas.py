"""Write data/areas.csv: 漳州市, its 11 county-level units and their townships.

Why a script: the table is small enough to hold here as text, and keeping it
as code documents the rules applied (level, urban/rural) next to the facts.

Facts (codes and names) are transcribed from the 2023 edition of the
National Bureau of Statistics' 统计用区划代码 (first 9 digits of the 12-digit
township codes), as redistributed in modood/Administrative-divisions-of-China
``dist/streets.csv`` (MIT). Only 街道 / 镇 / 乡 are kept; the 类似乡级单位
(codes x4xx / x5xx: farms, forest farms, salt works, development zones) are
left out of the demo. Pinyin was written by hand.

Rules (a simplification, see data/README.md):
    街道 -> urban; 镇 / 乡 -> rural;
    counties: 芗城区 and 龙文区 urban, the others rural; the city urban.

Run: python data/scripts/build_areas.py  (writes data/areas.csv)
"""

from __future__ import annotations

import csv
from pathlib import Path

EDITION = 2023

CITY = ("350600", "漳州市", "Zhangzhou City")

# code, name, name_en, urban_rural
COUNTIES = [
    ("350602", "芗城区", "Xiangcheng District", "urban"),
    ("350603", "龙文区", "Longwen District", "urban"),
    ("350604", "龙海区", "Longhai District", "rural"),
    ("350605", "长泰区", "Changtai District", "rural"),
    ("350622", "云霄县", "Yunxiao County", "rural"),
    ("350623", "漳浦县", "Zhangpu County", "rural"),
    ("350624", "诏安县", "Zhao'an County", "rural"),
    ("350626", "东山县", "Dongshan County", "rural"),
    ("350627", "南靖县", "Nanjing County", "rural"),
    ("350628", "平和县", "Pinghe County", "rural"),
    ("350629", "华安县", "Hua'an County", "rural"),
]

# 9-digit code, name, pinyin of the proper name (without the 街道/镇/乡 suffix)
TOWNSHIPS = """
350602001 东铺头街道 Dongputou
350602002 西桥街道 Xiqiao
350602003 新桥街道 Xinqiao
350602004 巷口街道 Xiangkou
350602005 南坑街道 Nankeng
350602006 通北街道 Tongbei
350602007 芝山街道 Zhishan
350602008 石亭街道 Shiting
350602100 浦南镇 Punan
350602101 天宝镇 Tianbao
350603001 步文街道 Buwen
350603002 碧湖街道 Bihu
350603003 蓝田街道 Lantian
350603004 朝阳街道 Chaoyang
350603005 景山街道 Jingshan
350603103 郭坑镇 Guokeng
350604001 石码街道 Shima
350604100 海澄镇 Haicheng
350604101 角美镇 Jiaomei
350604102 白水镇 Baishui
350604103 浮宫镇 Fugong
350604104 程溪镇 Chengxi
350604105 港尾镇 Gangwei
350604106 九湖镇 Jiuhu
350604107 颜厝镇 Yancuo
350604108 榜山镇 Bangshan
350604109 紫泥镇 Zini
350604110 东园镇 Dongyuan
350604200 东泗乡 Dongsi
350604201 隆教畲族乡 Longjiao
350605100 武安镇 Wu'an
350605101 岩溪镇 Yanxi
350605102 陈巷镇 Chenxiang
350605103 枋洋镇 Fangyang
350605200 坂里乡 Banli
350622100 云陵镇 Yunling
350622101 陈岱镇 Chendai
350622102 东厦镇 Dongxia
350622103 莆美镇 Pumei
350622104 列屿镇 Lieyu
350622105 火田镇 Huotian
350622200 下河乡 Xiahe
350622201 马铺乡 Mapu
350622202 和平乡 Heping
350623100 绥安镇 Sui'an
350623101 旧镇镇 Jiuzhen
350623102 佛昙镇 Fotan
350623103 赤湖镇 Chihu
350623104 杜浔镇 Duxun
350623105 霞美镇 Xiamei
350623106 官浔镇 Guanxun
350623107 石榴镇 Shiliu
350623108 盘陀镇 Pantuo
350623109 长桥镇 Changqiao
350623110 前亭镇 Qianting
350623111 马坪镇 Maping
350623112 深土镇 Shentu
350623113 六鳌镇 Liu'ao
350623114 沙西镇 Shaxi
350623115 古雷镇 Gulei
350623116 大南坂镇 Dananban
350623200 南浦乡 Nanpu
350623201 赤岭畲族乡 Chiling
350623202 湖西畲族乡 Huxi
350623203 赤土乡 Chitu
350624100 南诏镇 Nanzhao
350624101 四都镇 Sidu
350624102 梅岭镇 Meiling
350624103 桥东镇 Qiaodong
350624104 深桥镇 Shenqiao
350624105 太平镇 Taiping
350624106 霞葛镇 Xiage
350624107 官陂镇 Guanbei
350624108 秀篆镇 Xiuzhuan
350624109 西潭镇 Xitan
350624200 金星乡 Jinxing
350624202 白洋乡 Baiyang
350624203 建设乡 Jianshe
350624204 红星乡 Hongxing
350624205 梅洲乡 Meizhou
350626100 西埔镇 Xipu
350626101 樟塘镇 Zhangtang
350626102 康美镇 Kangmei
350626103 杏陈镇 Xingchen
350626104 陈城镇 Chencheng
350626105 前楼镇 Qianlou
350626106 铜陵镇 Tongling
350627100 山城镇 Shancheng
350627101 丰田镇 Fengtian
350627102 靖城镇 Jingcheng
350627103 龙山镇 Longshan
350627104 金山镇 Jinshan
350627105 和溪镇 Hexi
350627106 奎洋镇 Kuiyang
350627107 梅林镇 Meilin
350627108 书洋镇 Shuyang
350627109 船场镇 Chuanchang
350627110 南坑镇 Nankeng
350628100 小溪镇 Xiaoxi
350628101 山格镇 Shange
350628102 文峰镇 Wenfeng
350628103 南胜镇 Nansheng
350628104 坂仔镇 Banzai
350628105 安厚镇 Anhou
350628106 大溪镇 Daxi
350628107 霞寨镇 Xiazhai
350628108 九峰镇 Jiufeng
350628109 芦溪镇 Luxi
350628200 五寨乡 Wuzhai
350628201 国强乡 Guoqiang
350628202 崎岭乡 Qiling
350628203 长乐乡 Changle
350628204 秀峰乡 Xiufeng
350629100 华丰镇 Huafeng
350629101 丰山镇 Fengshan
350629102 沙建镇 Shajian
350629103 新圩镇 Xinxu
350629104 高安镇 Gao'an
350629105 仙都镇 Xiandu
350629200 高车乡 Gaoche
350629201 马坑乡 Makeng
350629203 湖林乡 Hulin
"""

SUFFIXES = [  # longest first
    ("畲族乡", "She Ethnic Township", "rural"),
    ("街道", "Subdistrict", "urban"),
    ("镇", "Town", "rural"),
    ("乡", "Township", "rural"),
]


def township_rows():
    for line in TOWNSHIPS.strip().splitlines():
        code, name, pinyin = line.split(" ", 2)
        for suffix, en, urban_rural in SUFFIXES:
            if name.endswith(suffix):
                break
        else:
            raise ValueError(f"unknown township type: {name}")
        yield code, name, f"{pinyin} {en}", code[:6], "township", urban_rural


def rows():
    yield CITY[0], CITY[1], CITY[2], "", "city", "urban"
    for code, name, en, ur in COUNTIES:
        yield code, name, en, CITY[0], "county", ur
    yield from township_rows()


def main(out: Path | None = None) -> Path:
    out = out or Path(__file__).resolve().parents[1] / "areas.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "name_en", "parent_code", "level", "urban_rural", "edition"])
        for row in rows():
            writer.writerow([*row, EDITION])
    return out


if __name__ == "__main__":
    print(main())
